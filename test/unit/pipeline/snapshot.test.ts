/** parseReadReply (one product's values in a reply of read-products-n.lua) into a snapshot: hashes, demand ring, embeddings. */
import * as fs from 'fs';
import * as path from 'path';
import { REPLY_LENGTH, SNAPSHOT_FIELDS, parseReadReply } from '../../../shared/adapters/redis/snapshot';

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

  test("a product's values at an offset in a reply of several products", () => {
    const ring = Buffer.alloc(8);
    ring.writeDoubleLE(4, 0);
    const first = reply({ latest: 3, oldest: 3, level: 1, trend: 0 }, ring, {}, {});
    const second = reply({ latest: 9, oldest: 9, level: 2, trend: 0.5, events: 4 }, ring, { eventId: 'l2', title: 'Kite', price: 7, category: 'TOYS' }, {});
    expect(first).toHaveLength(REPLY_LENGTH);
    const snap = parseReadReply('B', [...first, ...second], REPLY_LENGTH);
    expect(snap).toMatchObject({ sku: 'B', demand: { oldest: 9, latest: 9, values: Float64Array.from([4]) }, smoothing: { level: 2, trend: 0.5, latest: 9 }, orderEvents: 4 });
    expect(snap.listing).toMatchObject({ title: 'Kite', price: 7, category: 'TOYS' });
  });

  test('read-products-n.lua asks for exactly SNAPSHOT_FIELDS, in order, REPLY_LENGTH values per product', () => {
    const lua = fs.readFileSync(path.join(__dirname, '../../../shared/adapters/redis/lua/read-products-n.lua'), 'utf8');
    const hmgets = [...lua.matchAll(/redis\.call\('HMGET', KEYS\[k( \+ \d)?\], ([^)]*)\)/g)].map((m) => [m[1] ?? '', m[2].split(',').map((f) => f.trim().replace(/'/g, ''))]);
    expect(hmgets).toEqual([['', SNAPSHOT_FIELDS.state], [' + 2', SNAPSHOT_FIELDS.listing], [' + 3', SNAPSHOT_FIELDS.reviews]]);
    const { state, listing, reviews } = SNAPSHOT_FIELDS;
    expect(lua).toContain(`for i = 1, ${state.length} do out[at + i] = state[i] end`);
    expect(lua).toContain(`out[at + ${state.length + 1}] = redis.call('GET', KEYS[k + 1]) or ''`);
    expect(lua).toContain(`for i = 1, ${listing.length} do out[at + ${state.length + 1} + i] = listing[i] end`);
    expect(lua).toContain(`for i = 1, ${reviews.length} do out[at + ${state.length + 1 + listing.length} + i] = reviews[i] end`);
    expect(lua).toContain(`at = at + ${REPLY_LENGTH}`);
  });
});
