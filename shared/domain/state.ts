import type { ListingEvent, OrderFacts, RawOrder, ReviewEvent } from './events';
import type { SmoothingParams } from './smoothing';

/** What the pipeline keeps per product; the forecaster reads it, the consumers write it. */
export interface ProductSnapshot {
  sku: string;
  /** Demand sums of buckets oldest..latest (bucket index = floor(eventTime / bucketMs)); null before any order. */
  demand: { oldest: number; latest: number; values: ArrayLike<number> } | null;
  /** Holt state as of bucket `latest`. */
  smoothing: { level: number; trend: number; latest: number } | null;
  orderEvents: number;
  lastOrderTime: number;
  /** The newest listing event's attributes, with the embedding of its text. */
  listing: (Pick<ListingEvent, 'title' | 'description' | 'category' | 'brand' | 'price' | 'currency' | 'eventTime'> & {
    embedding: Float32Array | null;
    modelId: string;
  }) | null;
  reviews: {
    count: number;
    ratingMean: number;
    /** Exponentially weighted recent rating and its value before the newest review (rating trend). */
    ratingEwm: number;
    ratingEwmPrev: number;
    embedding: Float32Array | null;
    lastEventTime: number;
  } | null;
}

export interface ApplyStats {
  applied: number;
  duplicates: number;
  tooLate: number;
}

export interface SeriesSettings extends SmoothingParams {
  bucketMs: number;
  maxBuckets: number;
  reviewDecay: number;
}

export interface EmbeddedReview {
  event: ReviewEvent;
  embedding: Float32Array | null;
}

export interface EmbeddedListing {
  event: ListingEvent;
  embedding: Float32Array | null;
  modelId: string;
}

/**
 * A chunk's orders gathered for the store, either decoded or as message bytes already read and
 * validated (RawOrder: the order consumer's fast path); `prepare` as StateStore.prepareOrders.
 */
export interface OrderSink {
  addRaw(buf: Uint8Array, o: RawOrder): void;
  add(e: OrderFacts): void;
  readonly size: number;
  prepare(): () => Promise<ApplyStats>;
}

/** The port through which handlers store state: Redis in production, memory in the embedded demo. */
export interface StateStore {
  applyOrders(events: OrderFacts[]): Promise<ApplyStats>;
  /** The same as an operation built once, which may run more than once (retries): it is idempotent. */
  prepareOrders(events: OrderFacts[]): () => Promise<ApplyStats>;
  /** Optional: a sink that also takes orders as bytes (a store without one gets decoded events). */
  orderSink?(): OrderSink;
  applyReviews(items: EmbeddedReview[]): Promise<ApplyStats>;
  applyListings(items: EmbeddedListing[]): Promise<ApplyStats>;
  read(skus: string[]): Promise<ProductSnapshot[]>;
  listProducts(): Promise<string[]>;
  /** Products changed at least `quietMs` ago (debounce), removed from the dirty set; at most `limit`. */
  takeDirty(nowMs: number, quietMs: number, limit: number): Promise<string[]>;
  /** Newest order event time applied so far, over all products (the demand clock of the forecaster; listings and reviews do not move it). */
  watermark(): Promise<number>;
  close(): Promise<void>;
}

export const EMPTY_STATS: ApplyStats = { applied: 0, duplicates: 0, tooLate: 0 };

export function addStats(a: ApplyStats, b: ApplyStats): ApplyStats {
  return { applied: a.applied + b.applied, duplicates: a.duplicates + b.duplicates, tooLate: a.tooLate + b.tooLate };
}

export function groupBySku<T>(items: T[], skuOf: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = skuOf(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}
