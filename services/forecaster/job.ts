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
   * from a validation window inside the data): done on each full pass, so weights follow the data.
   */
  async refit(skus: string[], readBatch = 2000): Promise<number> {
    const wm = await this.store.watermark();
    if (wm === 0 || skus.length === 0) return 0;
    const origin = Math.floor(wm / this.s.bucketMs) - 1;
    const inputs: SeriesInput[] = [];
    for (let i = 0; i < skus.length; i += readBatch) {
      for (const snap of await this.store.read(skus.slice(i, i + readBatch))) inputs.push(snapshotToSeries(snap, origin, this.s.bucketMs));
    }
    await this.d.model.refit(inputs, this.s.horizon);
    return inputs.length;
  }

  async run(skus: string[]): Promise<Trend[]> {
    if (skus.length === 0) return [];
    const started = process.hrtime.bigint();
    const wm = await this.store.watermark();
    if (wm === 0) return [];
    const wmBucket = Math.floor(wm / this.s.bucketMs);
    const snaps = await this.store.read(skus);
    this.d.accuracy?.resolve(snaps, wmBucket - 1);
    const inputs = snaps.map((snap) => snapshotToSeries(snap, wmBucket - 1, this.s.bucketMs));
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
