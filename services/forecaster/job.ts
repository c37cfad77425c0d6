import type { AvroCodec } from '../../shared/avro/codec';
import type { Trend } from '../../shared/domain/events';
import { smoothingAt, snapshotToSeries } from '../../shared/domain/series';
import type { SmoothingParams } from '../../shared/domain/smoothing';
import type { ProductSnapshot, StateStore } from '../../shared/domain/state';
import { buildTrend } from '../../shared/domain/trend';
import type { ForecastModel, SeriesInput } from '../../shared/forecasting/model';
import { tidy } from '../../shared/forecasting/model';
import type { Publisher } from '../../shared/adapters/transport';

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
    return view ? this.publish(view.wm, view.snaps) : [];
  }

  /**
   * The scheduled pass over every product: one read of the state serves both the refit (so weights
   * follow the data) and the forecasts, batch by batch. A failed refit keeps the previous fit.
   */
  async fullPass(skus: string[], batchSize: number, stopped: () => boolean, onRefitError: (err: unknown) => void): Promise<number> {
    const view = await this.read(skus);
    if (!view) return 0;
    await this.refitOn(view).catch(onRefitError);
    let n = 0;
    for (let i = 0; i < view.snaps.length && !stopped(); i += batchSize) n += (await this.publish(view.wm, view.snaps.slice(i, i + batchSize))).length;
    return n;
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
    return snaps.map((snap) => snapshotToSeries(snap, origin, this.s.bucketMs));
  }

  private refitOn(view: { wm: number; snaps: ProductSnapshot[] }): Promise<void> {
    return this.d.model.refit(this.inputs(view.wm, view.snaps), this.s.horizon);
  }

  private async publish(wm: number, snaps: ProductSnapshot[]): Promise<Trend[]> {
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
    await this.d.publisher.publish(this.d.topic, trends.map((t) => ({ key: t.sku, value: this.d.codec.encode(t) })));
    for (const t of trends) this.d.accuracy?.record(t.sku, wmBucket, t.horizon.map((p) => p.p50));
    this.d.observer?.published(trends, Number(process.hrtime.bigint() - started) / 1e9);
    return trends;
  }
}
