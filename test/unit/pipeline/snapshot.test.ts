/** parseReadReply (the reply of read-product-4.lua) into a snapshot: hashes, demand ring, embeddings. */
import * as fs from 'fs';
import * as path from 'path';
import { SNAPSHOT_FIELDS, parseReadReply } from '../../../shared/adapters/redis/snapshot';

const b = (s: string | number) => Buffer.from(String(s));
/** A hash as the script returns it: the values of `fields` in order, null where absent. */
const values = (fields: readonly string[], o: Record<string, Buffer | string | number>) => fields.map((f) => (f in o ? (Buffer.isBuffer(o[f]) ? (o[f] as Buffer) : b(o[f] as string)) : null));
const reply = (state: Record<string, string | number>, ring: Buffer, listing: Record<string, Buffer | string | number>, reviews: Record<string, Buffer | string | number>) => [
  ...values(SNAPSHOT_FIELDS.state, state), ring, ...values(SNAPSHOT_FIELDS.listing, listing), ...values(SNAPSHOT_FIELDS.reviews, reviews),
];

describe('parseReadReply', () => {
  test('ring slots k % slots, hashes and embeddings as floats (also from an unaligned buffer)', () => {
    const slots = 4;
    const ring = Buffer.alloc(slots * 8);
    // buckets 10..13 in slots 2, 3, 0, 1
    [10, 11, 12, 13].forEach((bucket, i) => ring.writeDoubleLE(i + 0.5, (bucket % slots) * 8));
    const emb = new Float32Array([0.25, -1.5, 3e-8]);
    const unaligned = Buffer.concat([Buffer.from([9]), Buffer.from(emb.buffer)]).subarray(1);
    const snap = parseReadReply('S1', reply(
      { latest: 13, oldest: 10, level: 1.5, trend: -0.25, events: 7, lastEventTime: 123 },
      ring,
      { eventId: 'l1', title: 'Mug', description: 'Blue', category: 'HOME', brand: '', price: 2.5, currency: 'GBP', eventTime: 99, embedding: unaligned, modelId: 'm' },
      { count: 2, ratingMean: 4.5, ratingEwm: 4, ratingEwmPrev: 3.5, embedding: Buffer.alloc(0), lastEventTime: 77 },
    ));
    expect(snap.demand).toEqual({ oldest: 10, latest: 13, values: Float64Array.from([0.5, 1.5, 2.5, 3.5]) });
    expect(snap.smoothing).toEqual({ level: 1.5, trend: -0.25, latest: 13 });
    expect([snap.orderEvents, snap.lastOrderTime]).toEqual([7, 123]);
    expect(snap.listing).toMatchObject({ title: 'Mug', category: 'HOME', brand: null, price: 2.5, eventTime: 99, modelId: 'm' });
    expect(Array.from(snap.listing!.embedding!)).toEqual(Array.from(emb));
    expect(snap.reviews).toEqual({ count: 2, ratingMean: 4.5, ratingEwm: 4, ratingEwmPrev: 3.5, embedding: null, lastEventTime: 77 });
  });

  test('the ring read at any start slot, wrapping or not, from an unaligned buffer: each bucket from its slot', () => {
    for (const slots of [1, 5, 8]) {
      for (let oldest = 20; oldest < 20 + slots; oldest++) {
        for (let n = 1; n <= slots; n++) {
          const ring = Buffer.concat([Buffer.from([7, 7, 7]), Buffer.alloc(slots * 8)]).subarray(3);
          for (let k = 0; k < slots; k++) ring.writeDoubleLE(1000 + k + 0.25, k * 8); // slot k holds 1000 + k + 0.25
          const latest = oldest + n - 1;
          const snap = parseReadReply('R', reply({ latest, oldest, level: 0, trend: 0 }, ring, {}, {}));
          const want = Array.from({ length: n }, (_, i) => 1000 + ((oldest + i) % slots) + 0.25);
          expect([slots, oldest, n, Array.from(snap.demand!.values)]).toEqual([slots, oldest, n, want]);
        }
      }
    }
  });

  test('a product the store has never seen: every value missing, no ring', () => {
    expect(parseReadReply('NONE', reply({}, Buffer.alloc(0), {}, {}))).toEqual({
      sku: 'NONE', demand: null, smoothing: null, orderEvents: 0, lastOrderTime: 0, listing: null, reviews: null,
    });
  });

  test('read-product-4.lua asks for exactly SNAPSHOT_FIELDS, in order', () => {
    const lua = fs.readFileSync(path.join(__dirname, '../../../shared/adapters/redis/lua/read-product-4.lua'), 'utf8');
    const hmgets = [...lua.matchAll(/redis\.call\('HMGET', KEYS\[(\d)\], ([^)]*)\)/g)].map((m) => [m[1], m[2].split(',').map((f) => f.trim().replace(/'/g, ''))]);
    expect(hmgets).toEqual([['1', SNAPSHOT_FIELDS.state], ['3', SNAPSHOT_FIELDS.listing], ['4', SNAPSHOT_FIELDS.reviews]]);
    expect(lua).toContain(`for i = 1, ${SNAPSHOT_FIELDS.listing.length} do out[${SNAPSHOT_FIELDS.state.length + 1} + i]`);
    expect(lua).toContain(`for i = 1, ${SNAPSHOT_FIELDS.reviews.length} do out[${SNAPSHOT_FIELDS.state.length + 1 + SNAPSHOT_FIELDS.listing.length} + i]`);
  });
});
