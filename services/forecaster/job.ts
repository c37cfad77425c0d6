import type { AvroCodec } from '../../shared/avro/codec';
import type { Trend } from '../../shared/domain/events';
import { smoothingAt } from '../../shared/domain/series';
import { snapshotToSeries } from '../../shared/forecasting/from-snapshot';
import type { SmoothingParams } from '../../shared/domain/smoothing';
import type { ProductSnapshot, StateStore } from '../../shared/domain/state';
import { buildTrend } from '../../shared/domain/trend';
import type { ForecastModel, QuantileForecast, SeriesInput } from '../../shared/forecasting/model';
import { startForecast, tidy } from '../../shared/forecasting/model';
import { leadTimeP90 } from '../../shared/forecasting/lead-time';
import type { OutboundMessage, Publisher } from '../../shared/adapters/transport';
import { toTrendcastError } from '../../shared/errors';

export interface ActiveModel {
  model: ForecastModel;
  version: string;
}

/** The model a job forecasts with, and how to refit it on the current population (services/forecaster/registry.ts). */
export interface ModelSource {
  current(): ActiveModel;
  refit(inputs: SeriesInput[], horizon: number): Promise<void>;
}

export interface JobDeps {
  store: StateStore;
  publisher: Publisher;
  topic: string;
  codec: AvroCodec<Trend>;
  model: ModelSource;
  settings: JobSettings;
  observer?: JobObserver;
  accuracy?: AccuracyHook;
}

export interface JobSettings extends SmoothingParams {
  bucketMs: number;
  horizon: number;
  flatBand: number;
}

export interface JobObserver {
  published(trends: SentTrend[], seconds: number): void;
  /** A product left out of a pass: its state cannot be read, and will not be on a retry (readSafely). */
  unreadable?(sku: string, err: unknown): void;
}

/** Online accuracy (accuracy.ts): score due forecasts against the state read, then remember the new ones. */
export interface AccuracyHook {
  resolve(snaps: ProductSnapshot[], completeThrough: number): void;
  record(sku: string, firstBucket: number, p50: ArrayLike<number>): void;
}

/**
 * Publishes that may be in flight at once: a broker round trip (acks=all) can take as long as
 * forecasting a batch, and a pass's products are distinct (each in one batch), so their order
 * across batches does not matter; a pass returns only once all are acknowledged. The bound keeps
 * back-pressure: a slow broker slows the pass.
 */
const PUBLISHES_IN_FLIGHT = 2;

/**
 * Batches read ahead of the one being forecast. With one, the next batch's reply was often not in
 * yet when this thread first yielded, so its LSTM started only after this batch was published and
 * the thread sat idle meanwhile; with two, Redis has a batch's time more to answer (BENCHMARKS.md
 * "Session 11").
 */
const READS_AHEAD = 2;

/** Size of a pass's first batch, whose read nothing overlaps (later reads overlap forecasts). */
const FIRST_BATCH = 100;

/**
 * One forecasting pass over some products: read their state, forecast at the event-time origin
 * (the last complete bucket before the newest event seen anywhere), publish one Trend per product.
 */
export class ForecastJob {
  private readonly store: StateStore;
  private readonly s: JobSettings;

  constructor(private readonly d: JobDeps) {
    this.store = d.store;
    this.s = d.settings;
  }

  /**
   * Refits the model on every product's series at the current origin (calibration, ensemble weights
   * from a validation window inside the data).
   */
  async refit(skus: string[]): Promise<number> {
    const view = await this.read(skus);
    if (!view) return 0;
    await this.refitOn(view);
    return view.snaps.length;
  }

  /** Forecasts and publishes the given products from a fresh read of their state. */
  async run(skus: string[]): Promise<Trend[]> {
    if (skus.length === 0) return [];
    const view = await this.read(skus, skus.length);
    if (!view) return [];
    const { batch, trends } = await this.forecastBatch(view.wm, view.snaps);
    await this.send(batch);
    return trends;
  }

  /**
   * Forecasts and publishes the given (distinct) products in batches of `batchSize`, as a pipeline:
   * the Redis read of the next batch and the Kafka publish of the previous one are in flight while
   * this batch is forecast, so their server-side work (other processes) overlaps the forecast. One
   * forecast at a time, at most PUBLISHES_IN_FLIGHT publishes pending; once stopped() is true no
   * further batch is read. Returns the number published (the scheduler's on-change path).
   */
  async runAll(skus: string[], batchSize: number, stopped: () => boolean = () => false): Promise<number> {
    if (skus.length === 0) return 0;
    const wm = await this.store.watermark();
    if (wm === 0) return 0;
    // a small first batch: its read is the one wait the pipeline cannot hide
    const bounds = [0, Math.min(batchSize, FIRST_BATCH)];
    while (bounds[bounds.length - 1] < skus.length) bounds.push(bounds[bounds.length - 1] + batchSize);
    let k = 0;
    const load = () => (k + 1 < bounds.length ? this.readSafely(skus.slice(bounds[k], bounds[++k])) : Promise.resolve(null));
    return this.pipeline(wm, load, stopped);
  }

  /**
   * The scheduled pass over every product: one read of the state serves both the refit (so weights
   * follow the data) and the forecasts, batch by batch. A failed refit keeps the previous fit.
   */
  async fullPass(skus: string[], batchSize: number, stopped: () => boolean, onRefitError: (err: unknown) => void): Promise<number> {
    const view = await this.read(skus);
    if (!view) return 0;
    await this.refitOn(view).catch(onRefitError);
    let k = 0;
    return this.pipeline(view.wm, async () => (k * batchSize < view.snaps.length ? view.snaps.slice(k * batchSize, ++k * batchSize) : null), stopped);
  }

  /**
   * Batches of snapshots from load() (null: no more). load() must start its I/O before it returns:
   * a forecast is synchronous work, so anything left to a later tick would wait for it to end. Each
   * batch's forecast is started (startBatch) as soon as its state is read, during the current batch:
   * the LSTM's thread then goes from one batch to the next while this thread finishes the current
   * one (combining, building and encoding its trends), instead of waiting for it. After handing a
   * batch to the publisher the loop yields once to the event loop, so the send reaches the socket
   * (and the next read's reply is parsed) before the next forecast goes on.
   */
  private async pipeline(wm: number, load: () => Promise<ProductSnapshot[] | null>, stopped: () => boolean): Promise<number> {
    const readNext = () => (stopped() ? Promise.resolve(null) : quiet(load().then((snaps) => snaps && this.startBatch(wm, snaps))));
    const ahead = Array.from({ length: READS_AHEAD }, readNext);
    const sending: Promise<number>[] = [];
    let n = 0;
    for (let started = await ahead.shift(); started; started = await ahead.shift()) {
      ahead.push(readNext());
      const { batch } = await this.finishBatch(started);
      if (sending.length >= PUBLISHES_IN_FLIGHT) n += await sending.shift()!;
      sending.push(quiet(this.send(batch).then(() => batch.sent.length)));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    for (const s of sending) n += await s;
    return n;
  }

  /** The watermark first, then the state: a product's data is never newer than the origin derived from it. */
  private async read(skus: string[], readBatch = 2000): Promise<{ wm: number; snaps: ProductSnapshot[] } | null> {
    const wm = await this.store.watermark();
    if (wm === 0 || skus.length === 0) return null;
    const snaps: ProductSnapshot[] = [];
    for (let i = 0; i < skus.length; i += readBatch) snaps.push(...(await this.readSafely(skus.slice(i, i + readBatch))));
    return { wm, snaps };
  }

  /**
   * store.read, except that a product whose state cannot be read for good (a key of the wrong type,
   * written by something else) is left out and reported, found by halving the batch: one such
   * product would otherwise fail its batch on every pass, and every full pass with it. Transient
   * failures (Redis away) still fail the pass, to be retried whole.
   */
  private async readSafely(skus: string[]): Promise<ProductSnapshot[]> {
    try {
      return await this.store.read(skus);
    } catch (err) {
      if (toTrendcastError(err).retriable) throw err;
      if (skus.length === 1) {
        this.d.observer?.unreadable?.(skus[0], err);
        return [];
      }
      const half = Math.ceil(skus.length / 2);
      return [...(await this.readSafely(skus.slice(0, half))), ...(await this.readSafely(skus.slice(half)))];
    }
  }

  private inputs(wm: number, snaps: ProductSnapshot[]): SeriesInput[] {
    const origin = Math.floor(wm / this.s.bucketMs) - 1;
    return snaps.map((snap) => modelInput(snap, origin, this.s.bucketMs));
  }

  private refitOn(view: { wm: number; snaps: ProductSnapshot[] }): Promise<void> {
    return this.d.model.refit(this.inputs(view.wm, view.snaps), this.s.horizon);
  }

  /** Forecasts one batch and encodes its Trend messages (the CPU part of a batch). */
  private forecastBatch(wm: number, snaps: ProductSnapshot[]): Promise<{ batch: Batch; trends: Trend[] }> {
    return this.finishBatch(this.startBatch(wm, snaps));
  }

  /** A batch's forecast begun: its offloaded part (the LSTM) running, the rest for finishBatch. */
  private startBatch(wm: number, snaps: ProductSnapshot[]): Started {
    const started = process.hrtime.bigint();
    const wmBucket = Math.floor(wm / this.s.bucketMs);
    this.d.accuracy?.resolve(snaps, wmBucket - 1);
    const inputs = this.inputs(wm, snaps);
    const { model, version } = this.d.model.current();
    return { wm, snaps, inputs, model: { name: model.name, version }, rest: startForecast(model, inputs, this.s.horizon), started };
  }

  /**
   * The batch's trends and, for its publish, their messages with what send() needs of each trend. The
   * pipeline drops the trends themselves at once: kept until the publish is acknowledged, their
   * horizon objects (28 per product) were most of what outlived the young generation, and the
   * scavenges copying them a tenth of this thread's time (BENCHMARKS.md "Session 11").
   */
  private async finishBatch(b: Started): Promise<{ batch: Batch; trends: Trend[] }> {
    const forecasts = await b.rest();
    const generatedAt = Date.now();
    const trends = b.snaps.map((snap, i) => trendFor(snap, b.inputs[i], forecasts[i], b.wm, this.s, b.model, generatedAt));
    const messages = trends.map((t) => ({ key: t.sku, value: this.d.codec.encode(t) }));
    const withP50 = this.d.accuracy !== undefined;
    const sent = trends.map(({ sku, model, direction, basedOnEventTime, horizon }): SentTrend => ({ sku, model, direction, basedOnEventTime, p50: withP50 ? horizon.map((p) => p.p50) : [] }));
    return { batch: { sent, messages, wmBucket: Math.floor(b.wm / this.s.bucketMs), started: b.started }, trends };
  }

  private async send(b: Batch): Promise<void> {
    await this.d.publisher.publish(this.d.topic, b.messages);
    if (this.d.accuracy) for (const t of b.sent) this.d.accuracy.record(t.sku, b.wmBucket, t.p50);
    this.d.observer?.published(b.sent, Number(process.hrtime.bigint() - b.started) / 1e9);
  }
}

/** What is kept of a published trend until its publish is acknowledged: its p50s only with an accuracy hook. */
export interface SentTrend extends Pick<Trend, 'sku' | 'model' | 'direction' | 'basedOnEventTime'> {
  p50: number[];
}

interface Started {
  wm: number;
  snaps: ProductSnapshot[];
  inputs: SeriesInput[];
  model: { name: string; version: string };
  rest: () => Promise<QuantileForecast[]>;
  started: bigint;
}

interface Batch {
  sent: SentTrend[];
  messages: OutboundMessage[];
  wmBucket: number;
  started: bigint;
}

/** The Trend published for one product's forecast made at watermark `wm` from `input` (modelInput of `snap`). */
export function trendFor(snap: ProductSnapshot, input: SeriesInput, f: QuantileForecast, wm: number, s: JobSettings, model: { name: string; version: string }, generatedAt: number): Trend {
  const wmBucket = Math.floor(wm / s.bucketMs);
  // level and slope as of the forecast's origin (the last complete bucket), like the forecast itself
  const { level, trend } = smoothingAt(snap, wmBucket - 1, s);
  const forecast = tidy(f);
  return buildTrend({
    sku: snap.sku, forecast, firstBucketStart: wmBucket * s.bucketMs, bucketMs: s.bucketMs,
    level, trend, basedOnEventTime: wm, generatedAt, model: model.name, modelVersion: model.version, flatBand: s.flatBand,
    category: snap.listing?.category ?? null,
    // for the restock rule: the daily p90s do not add up to a p90 of the total (lead-time.ts)
    leadP90: leadTimeP90(input.history, forecast.p90),
  });
}

/**
 * snapshotToSeries with the history built straight into one Float64Array (the members then do not
 * each convert it, and the two intermediate arrays per product are not made): max(0, bucket sum),
 * zero-filled, from the first bucket with demand to the origin. A unit test pins it to snapshotToSeries.
 */
export function modelInput(snap: ProductSnapshot, originBucket: number, bucketMs: number): SeriesInput {
  const input = snapshotToSeries({ ...snap, demand: null }, originBucket, bucketMs);
  const d = snap.demand;
  if (!d || d.oldest > originBucket) return { ...input, history: new Float64Array(0) };
  const len = originBucket - d.oldest + 1;
  const n = Math.min(d.values.length, len);
  let first = 0;
  while (first < n && Math.max(0, d.values[first]) === 0) first++;
  if (first === n) first = len; // nothing sold up to the origin
  const history = new Float64Array(len - first);
  for (let i = first; i < n; i++) history[i - first] = Math.max(0, d.values[i]);
  return { ...input, history, startTime: (d.oldest + first) * bucketMs };
}

/** The same promise, with a handler attached so that it may reject before it is awaited (no unhandled rejection). */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}
