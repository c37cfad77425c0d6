import type { AvroCodec } from '../../shared/avro/codec';
import type { Trend } from '../../shared/domain/events';
import { smoothingAt, snapshotToSeries } from '../../shared/domain/series';
import type { SmoothingParams } from '../../shared/domain/smoothing';
import type { ProductSnapshot, StateStore } from '../../shared/domain/state';
import { buildTrend } from '../../shared/domain/trend';
import type { ForecastModel, SeriesInput } from '../../shared/forecasting/model';
import { tidy } from '../../shared/forecasting/model';
import type { OutboundMessage, Publisher } from '../../shared/adapters/transport';

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
  published(trends: Trend[], seconds: number): void;
}

/** Online accuracy (accuracy.ts): score due forecasts against the state read, then remember the new ones. */
export interface AccuracyHook {
  resolve(snaps: ProductSnapshot[], completeThrough: number): void;
  record(sku: string, firstBucket: number, p50: ArrayLike<number>): void;
}

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
    const batch = await this.forecastBatch(view.wm, view.snaps);
    await this.send(batch);
    return batch.trends;
  }

  /** Forecasts and publishes the given products in batches of `batchSize`, pipelined (see runBatches). */
  runAll(skus: string[], batchSize: number, stopped: () => boolean = () => false): Promise<number> {
    let k = 0;
    return this.runBatches(async () => skus.slice(k * batchSize, ++k * batchSize), stopped);
  }

  /**
   * Forecasts and publishes batches of products from next() until it returns none, as a pipeline:
   * the Redis read of the next batch and the Kafka publish of the previous one are in flight while
   * this batch is forecast (their server-side work runs in other processes). One forecast at a time,
   * one publish in flight, batches published in order. Once stopped() is true no further batch is
   * taken; one already taken is still published. Returns the number of products published.
   */
  async runBatches(next: () => Promise<string[]>, stopped: () => boolean = () => false): Promise<number> {
    let first: string[] | undefined = await next();
    if (first.length === 0) return 0;
    const wm = await this.store.watermark();
    if (wm === 0) return 0;
    return this.pipeline(wm, async () => {
      const skus = first ?? (await next());
      first = undefined;
      return skus.length ? this.store.read(skus) : null;
    }, stopped);
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

  /** Batches of snapshots from load() (null: no more), each requested while the one before is forecast. */
  private async pipeline(wm: number, load: () => Promise<ProductSnapshot[] | null>, stopped: () => boolean): Promise<number> {
    let next: Promise<ProductSnapshot[] | null> = stopped() ? Promise.resolve(null) : quiet(load());
    let sending: Promise<number> = Promise.resolve(0);
    let n = 0;
    for (let snaps = await next; snaps; snaps = await next) {
      next = stopped() ? Promise.resolve(null) : quiet(load());
      const batch = await this.forecastBatch(wm, snaps);
      n += await sending;
      sending = quiet(this.send(batch).then(() => batch.trends.length));
    }
    return n + (await sending);
  }

  /** The watermark first, then the state: a product's data is never newer than the origin derived from it. */
  private async read(skus: string[], readBatch = 2000): Promise<{ wm: number; snaps: ProductSnapshot[] } | null> {
    const wm = await this.store.watermark();
    if (wm === 0 || skus.length === 0) return null;
    const snaps: ProductSnapshot[] = [];
    for (let i = 0; i < skus.length; i += readBatch) snaps.push(...(await this.store.read(skus.slice(i, i + readBatch))));
    return { wm, snaps };
  }

  private inputs(wm: number, snaps: ProductSnapshot[]): SeriesInput[] {
    const origin = Math.floor(wm / this.s.bucketMs) - 1;
    return snaps.map((snap) => modelInput(snap, origin, this.s.bucketMs));
  }

  private refitOn(view: { wm: number; snaps: ProductSnapshot[] }): Promise<void> {
    return this.d.model.refit(this.inputs(view.wm, view.snaps), this.s.horizon);
  }

  /** Forecasts one batch and encodes its Trend messages (the CPU part of a batch). */
  private async forecastBatch(wm: number, snaps: ProductSnapshot[]): Promise<Batch> {
    const started = process.hrtime.bigint();
    const wmBucket = Math.floor(wm / this.s.bucketMs);
    this.d.accuracy?.resolve(snaps, wmBucket - 1);
    const inputs = this.inputs(wm, snaps);
    const { model, version } = this.d.model.current();
    const forecasts = await model.forecast(inputs, this.s.horizon);
    const generatedAt = Date.now();
    const trends = snaps.map((snap, i) => {
      const { level, trend } = smoothingAt(snap, wmBucket, this.s);
      return buildTrend({
        sku: snap.sku, forecast: tidy(forecasts[i]), firstBucketStart: wmBucket * this.s.bucketMs, bucketMs: this.s.bucketMs,
        level, trend, basedOnEventTime: wm, generatedAt, model: model.name, modelVersion: version, flatBand: this.s.flatBand,
        category: snap.listing?.category ?? null,
      });
    });
    const messages = trends.map((t) => ({ key: t.sku, value: this.d.codec.encode(t) }));
    return { trends, messages, wmBucket, started };
  }

  private async send(b: Batch): Promise<void> {
    await this.d.publisher.publish(this.d.topic, b.messages);
    for (const t of b.trends) this.d.accuracy?.record(t.sku, b.wmBucket, t.horizon.map((p) => p.p50));
    this.d.observer?.published(b.trends, Number(process.hrtime.bigint() - b.started) / 1e9);
  }
}

interface Batch {
  trends: Trend[];
  messages: OutboundMessage[];
  wmBucket: number;
  started: bigint;
}

/** A product's model input at the origin, its history one Float64Array (the members then do not each convert it). */
export function modelInput(snap: ProductSnapshot, originBucket: number, bucketMs: number): SeriesInput {
  const input = snapshotToSeries(snap, originBucket, bucketMs);
  return { ...input, history: Float64Array.from(input.history) };
}

/** The same promise, with a handler attached so that it may reject before it is awaited (no unhandled rejection). */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}
