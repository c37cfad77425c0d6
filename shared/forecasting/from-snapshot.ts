import type { ProductSnapshot } from '../domain/state';
import type { SeriesInput } from './model';

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
