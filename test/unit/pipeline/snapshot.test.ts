/** parseReadReply (the reply of read-product-4.lua) into a snapshot: hashes, demand ring, embeddings. */
import { parseReadReply } from '../../../shared/adapters/redis/snapshot';

const b = (s: string | number) => Buffer.from(String(s));
const flat = (o: Record<string, Buffer | string | number>) => Object.entries(o).flatMap(([k, v]) => [b(k), Buffer.isBuffer(v) ? v : b(v)]);

describe('parseReadReply', () => {
  test('ring slots k % slots, hashes and embeddings as floats (also from an unaligned buffer)', () => {
    const slots = 4;
    const ring = Buffer.alloc(slots * 8);
    // buckets 10..13 in slots 2, 3, 0, 1
    [10, 11, 12, 13].forEach((bucket, i) => ring.writeDoubleLE(i + 0.5, (bucket % slots) * 8));
    const emb = new Float32Array([0.25, -1.5, 3e-8]);
    const unaligned = Buffer.concat([Buffer.from([9]), Buffer.from(emb.buffer)]).subarray(1);
    const snap = parseReadReply('S1', [
      flat({ latest: 13, oldest: 10, level: 1.5, trend: -0.25, events: 7, lastEventTime: 123 }),
      ring,
      flat({ eventId: 'l1', title: 'Mug', description: 'Blue', category: 'HOME', brand: '', price: 2.5, currency: 'GBP', eventTime: 99, embedding: unaligned, modelId: 'm' }),
      flat({ count: 2, ratingMean: 4.5, ratingEwm: 4, ratingEwmPrev: 3.5, embedding: Buffer.alloc(0), lastEventTime: 77 }),
    ]);
    expect(snap.demand).toEqual({ oldest: 10, latest: 13, values: [0.5, 1.5, 2.5, 3.5] });
    expect(snap.smoothing).toEqual({ level: 1.5, trend: -0.25, latest: 13 });
    expect([snap.orderEvents, snap.lastOrderTime]).toEqual([7, 123]);
    expect(snap.listing).toMatchObject({ title: 'Mug', category: 'HOME', brand: null, price: 2.5, eventTime: 99, modelId: 'm' });
    expect(Array.from(snap.listing!.embedding!)).toEqual(Array.from(emb));
    expect(snap.reviews).toEqual({ count: 2, ratingMean: 4.5, ratingEwm: 4, ratingEwmPrev: 3.5, embedding: null, lastEventTime: 77 });
  });

  test('a product the store has never seen: empty hashes and no ring', () => {
    expect(parseReadReply('NONE', [[], Buffer.alloc(0), [], []])).toEqual({
      sku: 'NONE', demand: null, smoothing: null, orderEvents: 0, lastOrderTime: 0, listing: null, reviews: null,
    });
  });
});
