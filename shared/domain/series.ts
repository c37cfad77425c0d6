import { holtApply, holtUnstep, type HoltState, type SmoothingParams } from './smoothing';
import type { ProductSnapshot } from './state';

/**
 * The streaming Holt state as of `bucket`: carried forward (with zero demand) when the product sold
 * nothing since its newest bucket, or taken back to it when that bucket is later.
 */
export function smoothingAt(snap: ProductSnapshot, bucket: number, p: SmoothingParams): { level: number; trend: number } {
  const s = snap.smoothing;
  if (!s) return { level: 0, trend: 0 };
  if (bucket >= s.latest) return bucket === s.latest ? { level: s.level, trend: s.trend } : holtApply(s, s.latest, bucket, 0, p).state;
  // Back to an earlier bucket (the forecast origin, when the newest bucket is the unfinished current
  // one: a half day of sales would read as a falling trend). Each step takes that bucket's demand
  // out again; at most a step or two in practice, and only while the ring still holds the buckets.
  const d = snap.demand;
  let state: HoltState = { level: s.level, trend: s.trend };
  for (let k = s.latest; k > bucket; k--) {
    const i = d ? k - d.oldest : -1;
    const prev = d && i >= 0 && i < d.values.length ? holtUnstep(state, d.values[i], p) : null;
    if (!prev) return state;
    state = prev;
  }
  return state;
}
