import type { AvroCodec } from '../../shared/avro/codec';
import type { Trend } from '../../shared/domain/events';
import { smoothingAt, snapshotToSeries } from '../../shared/domain/series';
import type { SmoothingParams } from '../../shared/domain/smoothing';
import type { ProductSnapshot, StateStore } from '../../shared/domain/state';
import { buildTrend } from '../../shared/domain/trend';
import type { ForecastModel } from '../../shared/forecasting/model';
import { tidy } from '../../shared/forecasting/model';
import type { Publisher } from '../../shared/adapters/transport';

export interface ActiveModel {
  model: ForecastModel;
  version: string;
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
  constructor(
    private readonly store: StateStore,
    private readonly publisher: Publisher,
    private readonly topic: string,
    private readonly codec: AvroCodec<Trend>,
    private readonly active: () => ActiveModel,
    private readonly s: JobSettings,
    private readonly observer?: JobObserver,
    private readonly accuracy?: AccuracyHook,
  ) {}

  async run(skus: string[]): Promise<Trend[]> {
    if (skus.length === 0) return [];
    const started = process.hrtime.bigint();
    const wm = await this.store.watermark();
    if (wm === 0) return [];
    const wmBucket = Math.floor(wm / this.s.bucketMs);
    const snaps = await this.store.read(skus);
    this.accuracy?.resolve(snaps, wmBucket - 1);
    const inputs = snaps.map((snap) => snapshotToSeries(snap, wmBucket - 1, this.s.bucketMs));
    const { model, version } = this.active();
    const forecasts = await model.forecast(inputs, this.s.horizon);
    const generatedAt = Date.now();
    const trends = snaps.map((snap, i) => {
      const { level, trend } = smoothingAt(snap, wmBucket, this.s);
      return buildTrend({
        sku: snap.sku, forecast: tidy(forecasts[i]), firstBucketStart: wmBucket * this.s.bucketMs, bucketMs: this.s.bucketMs,
        level, trend, basedOnEventTime: wm, generatedAt, model: model.name, modelVersion: version, flatBand: this.s.flatBand,
      });
    });
    await this.publisher.publish(this.topic, trends.map((t) => ({ key: t.sku, value: this.codec.encode(t) })));
    for (const t of trends) this.accuracy?.record(t.sku, wmBucket, t.horizon.map((p) => p.p50));
    this.observer?.published(trends, Number(process.hrtime.bigint() - started) / 1e9);
    return trends;
  }
}
