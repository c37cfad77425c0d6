import type { QuantileForecast } from './quantiles';
import type { Trend, TrendDirection } from './events';

export interface TrendInput {
  sku: string;
  forecast: QuantileForecast;
  /** Start of the first horizon bucket. */
  firstBucketStart: number;
  bucketMs: number;
  level: number;
  trend: number;
  basedOnEventTime: number;
  generatedAt: number;
  model: string;
  modelVersion: string;
  /** |slope| below this is FLAT. */
  flatBand: number;
  /** The listing's category, when known (trend schema v2). */
  category?: string | null;
}

/** Relative slope: Holt trend per bucket over the level; 0 where the level is too small to say. */
export function relativeSlope(level: number, trend: number): number {
  return level > 1e-6 ? trend / level : 0;
}

export function direction(slope: number, flatBand: number): TrendDirection {
  if (slope > flatBand) return 'RISING';
  if (slope < -flatBand) return 'FALLING';
  return 'FLAT';
}

export function buildTrend(i: TrendInput): Trend {
  const slope = relativeSlope(i.level, i.trend);
  return {
    sku: i.sku,
    generatedAt: i.generatedAt,
    basedOnEventTime: i.basedOnEventTime,
    bucketMs: i.bucketMs,
    horizon: i.forecast.p50.map((p50, h) => ({
      step: h + 1,
      bucketStart: i.firstBucketStart + h * i.bucketMs,
      p10: i.forecast.p10[h],
      p50,
      p90: i.forecast.p90[h],
    })),
    direction: direction(slope, i.flatBand),
    slope,
    level: i.level,
    model: i.model,
    modelVersion: i.modelVersion,
    category: i.category ?? null,
  };
}
