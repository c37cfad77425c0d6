import type { SeriesInput } from '../forecasting/model';
import { holtApply, holtUnstep, type HoltState, type SmoothingParams } from './smoothing';
import type { ProductSnapshot } from './state';

/**
 * Turns a product's stored state into a model input at a forecast origin: the demand of complete
 * buckets up to and including `originBucket` (returns can make a bucket negative; demand is
 * max(0, sum) as in EVALUATION.md), zero-filled where nothing sold.
 */
export function snapshotToSeries(snap: ProductSnapshot, originBucket: number, bucketMs: number): SeriesInput {
  const d = snap.demand;
  let history: number[] = [];
  let start = originBucket + 1;
  if (d && d.oldest <= originBucket) {
    start = d.oldest;
    history = new Array<number>(originBucket - d.oldest + 1).fill(0);
    const n = Math.min(d.values.length, history.length);
    for (let i = 0; i < n; i++) history[i] = Math.max(0, d.values[i]);
    // a history starts at the first bucket with demand > 0
    let first = 0;
    while (first < history.length && history[first] === 0) first++;
    history = history.slice(first);
    start += first;
  }
  return {
    sku: snap.sku,
    history,
    startTime: start * bucketMs,
    bucketMs,
    price: snap.listing?.price,
    category: snap.listing?.category ?? undefined,
    brand: snap.listing?.brand ?? undefined,
    embedding: snap.listing?.embedding ?? undefined,
    reviews: snap.reviews ? { count: snap.reviews.count, ratingMean: snap.reviews.ratingMean, embedding: snap.reviews.embedding ?? undefined } : undefined,
  };
}

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
