/** Small helpers shared by the statistical models. Pure, typed arrays, no allocation in hot loops. */
import type { SeriesInput } from './model';

export const DAY_MS = 86_400_000;
export const WEEK = 7;

export function toFloat64(x: ArrayLike<number>): Float64Array {
  return x instanceof Float64Array ? x : Float64Array.from(x);
}

/** The last `n` values (or all of them): local models only look at recent history, which keeps fits cheap. */
export function tail(x: Float64Array, n: number): Float64Array {
  return x.length > n ? x.subarray(x.length - n) : x;
}

/**
 * Weekday (0 = Sunday .. 6 = Saturday, UTC) of forecast step h (1-based) for daily series, or -1 when
 * the buckets are not days. Step h covers startTime + (history.length + h - 1) * bucketMs.
 */
export function stepWeekday(s: SeriesInput, h: number): number {
  if (s.bucketMs !== DAY_MS) return -1;
  const day = Math.floor(s.startTime / DAY_MS) + s.history.length + h - 1;
  return (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

export function mean(x: ArrayLike<number>, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i];
  return to > from ? s / (to - from) : 0;
}

/** Share of non-zero values among the last `n`. */
export function nonZeroShare(x: ArrayLike<number>, n: number): number {
  const from = Math.max(0, x.length - n);
  let k = 0;
  for (let i = from; i < x.length; i++) if (x[i] > 0) k++;
  return x.length > from ? k / (x.length - from) : 0;
}

export function clampNonNegative(x: Float64Array): Float64Array {
  for (let i = 0; i < x.length; i++) if (!(x[i] > 0)) x[i] = 0;
  return x;
}

/** Seeded PRNG (mulberry32), for tests and simulations that must be reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws from a uniform generator (Box-Muller). */
export function gaussian(rand: () => number): () => number {
  return () => {
    const u = Math.max(rand(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
}

/** The same series cut `buckets` before its end (startTime unchanged): the view of a validation origin. */
export function truncateSeries(s: SeriesInput, buckets: number): SeriesInput {
  const n = Math.max(0, s.history.length - buckets);
  const h = s.history;
  const history = h instanceof Float64Array ? h.subarray(0, n) : Float64Array.from({ length: n }, (_, i) => h[i]);
  return { ...s, history };
}
