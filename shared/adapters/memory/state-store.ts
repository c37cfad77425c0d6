import type { OrderFacts } from '../../domain/events';
import { holtApply } from '../../domain/smoothing';
import {
  EMPTY_STATS, type ApplyStats, type EmbeddedListing, type EmbeddedReview, type ProductSnapshot, type SeriesSettings, type StateStore,
} from '../../domain/state';

interface Product {
  snap: ProductSnapshot;
  buckets: Map<number, number>;
  seenOrders: Map<string, number>;
  seenReviews: Set<string>;
  listingEventId: string | null;
}

/**
 * The embedded default's state: the same semantics as the Redis scripts (idempotent, windowed,
 * order-independent smoothing, newest listing wins), in one process, for a first look without servers.
 */
export class MemoryStateStore implements StateStore {
  private readonly products = new Map<string, Product>();
  private readonly dirty = new Map<string, number>();
  private wm = 0;

  constructor(private readonly s: SeriesSettings) {}

  prepareOrders(events: OrderFacts[]): () => Promise<ApplyStats> {
    return () => this.applyOrders(events);
  }

  async applyOrders(events: OrderFacts[]): Promise<ApplyStats> {
    const stats = { ...EMPTY_STATS };
    for (const e of events) {
      const p = this.product(e.sku);
      const bucket = Math.floor(e.eventTime / this.s.bucketMs);
      const sm = p.snap.smoothing;
      if (sm && bucket <= sm.latest - this.s.maxBuckets) stats.tooLate++;
      else if (p.seenOrders.has(e.eventId)) stats.duplicates++;
      else {
        p.seenOrders.set(e.eventId, e.eventTime);
        const base = sm ?? { level: 0, trend: 0, latest: bucket };
        const { state, latest } = holtApply(base, base.latest, bucket, e.quantity, this.s);
        p.snap.smoothing = { ...state, latest };
        p.buckets.set(bucket, (p.buckets.get(bucket) ?? 0) + e.quantity);
        p.snap.orderEvents++;
        p.snap.lastOrderTime = Math.max(p.snap.lastOrderTime, e.eventTime);
        this.trim(p);
        stats.applied++;
      }
      this.touch(e.sku, e.eventTime);
    }
    return stats;
  }

  async applyReviews(items: EmbeddedReview[]): Promise<ApplyStats> {
    const stats = { ...EMPTY_STATS };
    const lambda = this.s.reviewDecay;
    for (const { event: e, embedding } of items) {
      const p = this.product(e.sku);
      if (p.seenReviews.has(e.eventId)) {
        stats.duplicates++;
        continue;
      }
      p.seenReviews.add(e.eventId);
      const r = p.snap.reviews ?? { count: 0, ratingMean: 0, ratingEwm: e.rating, ratingEwmPrev: e.rating, embedding: null, lastEventTime: 0 };
      const prev = r.count === 0 ? e.rating : r.ratingEwm;
      const ewm = r.count === 0 ? e.rating : lambda * e.rating + (1 - lambda) * r.ratingEwm;
      let emb = r.embedding;
      if (embedding) emb = emb ? emb.map((v, j) => lambda * embedding[j] + (1 - lambda) * v) : Float32Array.from(embedding);
      p.snap.reviews = {
        count: r.count + 1,
        ratingMean: (r.ratingMean * r.count + e.rating) / (r.count + 1),
        ratingEwm: ewm,
        ratingEwmPrev: prev,
        embedding: emb,
        lastEventTime: Math.max(r.lastEventTime, e.eventTime),
      };
      stats.applied++;
      this.touch(e.sku, null);
    }
    return stats;
  }

  async applyListings(items: EmbeddedListing[]): Promise<ApplyStats> {
    const stats = { ...EMPTY_STATS };
    for (const { event: e, embedding, modelId } of items) {
      const p = this.product(e.sku);
      const cur = p.snap.listing;
      const stale = cur && (cur.eventTime > e.eventTime || (cur.eventTime === e.eventTime && (p.listingEventId ?? '') >= e.eventId));
      if (p.listingEventId === e.eventId || stale) {
        stats.duplicates++;
        continue;
      }
      p.listingEventId = e.eventId;
      p.snap.listing = { ...e, embedding, modelId };
      stats.applied++;
      this.touch(e.sku, null);
    }
    return stats;
  }

  async read(skus: string[]): Promise<ProductSnapshot[]> {
    return skus.map((sku) => {
      const p = this.products.get(sku);
      if (!p) return emptySnapshot(sku);
      const sm = p.snap.smoothing;
      if (!sm) return { ...p.snap, demand: null };
      const oldest = Math.min(...p.buckets.keys());
      const values = Array.from({ length: sm.latest - oldest + 1 }, (_, i) => p.buckets.get(oldest + i) ?? 0);
      return { ...p.snap, demand: { oldest, latest: sm.latest, values } };
    });
  }

  async listProducts(): Promise<string[]> {
    return [...this.products.keys()];
  }

  async takeDirty(nowMs: number, quietMs: number, limit: number): Promise<string[]> {
    const out: string[] = [];
    for (const [sku, t] of this.dirty) {
      if (out.length >= limit) break;
      if (t <= nowMs - quietMs) out.push(sku);
    }
    for (const sku of out) this.dirty.delete(sku);
    return out;
  }

  async watermark(): Promise<number> {
    return this.wm;
  }

  async close(): Promise<void> {}

  private product(sku: string): Product {
    let p = this.products.get(sku);
    if (!p) {
      p = { snap: emptySnapshot(sku), buckets: new Map(), seenOrders: new Map(), seenReviews: new Set(), listingEventId: null };
      this.products.set(sku, p);
    }
    return p;
  }

  private trim(p: Product): void {
    const keepFrom = p.snap.smoothing!.latest - this.s.maxBuckets + 1;
    for (const b of p.buckets.keys()) if (b < keepFrom) p.buckets.delete(b);
    const minTime = keepFrom * this.s.bucketMs;
    if (p.seenOrders.size > 4 * this.s.maxBuckets) for (const [id, t] of p.seenOrders) if (t < minTime) p.seenOrders.delete(id);
  }

  /** As RedisStateStore.touch: only orders (an event time given) move the watermark. */
  private touch(sku: string, orderTime: number | null): void {
    this.dirty.set(sku, Date.now());
    if (orderTime !== null && orderTime > this.wm) this.wm = orderTime;
  }
}

function emptySnapshot(sku: string): ProductSnapshot {
  return { sku, demand: null, smoothing: null, orderEvents: 0, lastOrderTime: 0, listing: null, reviews: null };
}
