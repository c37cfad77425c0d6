import { MemoryStateStore } from '../../../shared/adapters/memory/state-store';
import { holtFilter } from '../../../shared/domain/smoothing';
import type { OrderEvent } from '../../../shared/domain/events';

const D = 86_400_000;
const settings = { alpha: 0.3, beta: 0.1, bucketMs: D, maxBuckets: 30, reviewDecay: 0.5 };
const order = (id: string, day: number, q: number): OrderEvent => ({
  eventId: id, eventTime: Date.UTC(2011, 0, 1) + day * D + 3600_000, sku: 'A1', orderId: id, kind: q > 0 ? 'ORDER' : 'RETURN', quantity: q, unitPrice: 1, currency: 'GBP', customerId: null, country: null,
});

describe('MemoryStateStore (the embedded default) keeps the Redis semantics', () => {
  test('bucket sums and smoothing equal a batch recomputation; a second delivery changes nothing', async () => {
    const s = new MemoryStateStore(settings);
    const events = [order('a', 0, 5), order('b', 2, 3), order('c', 2, -1), order('d', 1, 4), order('e', 9, 2)];
    expect(await s.applyOrders(events)).toEqual({ applied: 5, duplicates: 0, tooLate: 0 });
    const [snap] = await s.read(['A1']);
    expect(snap.demand!.values).toEqual([5, 4, 2, 0, 0, 0, 0, 0, 0, 2]);
    const ref = holtFilter(snap.demand!.values, settings);
    expect(snap.smoothing!.level).toBeCloseTo(ref.level, 10);
    expect(snap.smoothing!.trend).toBeCloseTo(ref.trend, 10);
    expect(await s.applyOrders(events)).toEqual({ applied: 0, duplicates: 5, tooLate: 0 });
    expect(await s.read(['A1'])).toEqual([snap]);
  });

  test('events older than the kept window are dropped as too late, and old buckets trimmed', async () => {
    const s = new MemoryStateStore(settings);
    await s.applyOrders([order('a', 0, 1), order('b', 40, 1)]);
    expect(await s.applyOrders([order('c', 5, 1)])).toEqual({ applied: 0, duplicates: 0, tooLate: 1 });
    const [snap] = await s.read(['A1']);
    expect(snap.demand!.oldest).toBe(snap.demand!.latest);
  });

  test('reviews: count, mean and decayed embedding; the newest listing wins', async () => {
    const s = new MemoryStateStore(settings);
    const r = (id: string, rating: number, v: number[]) => ({ event: { eventId: id, eventTime: 1e12, sku: 'A1', reviewId: id, rating, text: 't', language: null }, embedding: Float32Array.from(v) });
    await s.applyReviews([r('1', 5, [1, 0]), r('2', 1, [0, 1]), r('2', 1, [0, 1])]);
    const [snap] = await s.read(['A1']);
    expect(snap.reviews).toMatchObject({ count: 2, ratingMean: 3, ratingEwm: 3, ratingEwmPrev: 5 });
    expect(Array.from(snap.reviews!.embedding!)).toEqual([0.5, 0.5]);
    const l = (id: string, t: number, title: string) => ({ event: { eventId: id, eventTime: t, sku: 'A1', title, description: '', category: null, brand: null, price: 2, currency: 'GBP' }, embedding: null, modelId: 'm' });
    await s.applyListings([l('new', 2e12, 'New'), l('old', 1e12, 'Old')]);
    expect((await s.read(['A1']))[0].listing!.title).toBe('New');
  });
});
