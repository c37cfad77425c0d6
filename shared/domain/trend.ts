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
  /** A p90 of the total demand over steps 1..h (trend schema v3), at most one per horizon step. */
  leadP90?: ArrayLike<number>;
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
    leadP90: cleanLead(i.leadP90, i.forecast.p50.length),
  };
}

/** At most one value per horizon step, each finite and non-negative, non-decreasing (a total over more steps is not smaller). */
function cleanLead(lead: ArrayLike<number> | undefined, horizon: number): number[] {
  const n = Math.min(lead?.length ?? 0, horizon);
  const out = new Array<number>(n);
  let prev = 0;
  for (let h = 0; h < n; h++) {
    const v = lead![h];
    prev = Math.max(prev, v > 0 && Number.isFinite(v) ? v : 0);
    out[h] = prev;
  }
  return out;
}
