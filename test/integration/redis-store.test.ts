/** The Redis scripts on the real server: order independence, windowing, slices of a hot product, reviews, listings. */
import { RedisStateStore } from '../../shared/adapters/redis/state-store';
import { globalKeys, productKeys } from '../../shared/adapters/redis/keys';
import { MemoryStateStore } from '../../shared/adapters/memory/state-store';
import { holtFilter } from '../../shared/domain/smoothing';
import type { OrderEvent } from '../../shared/domain/events';
import { deleteKeysWithPrefix, plainDemand } from './support/redis';
import { REDIS_URL, uniq } from './support/services';

const D = 86_400_000;
const settings = { alpha: 0.25, beta: 0.15, bucketMs: D, maxBuckets: 60, reviewDecay: 0.2 };
const prefix = uniq('rs');
let store: RedisStateStore;

function rand(seed: number) {
  let a = seed >>> 0;
  return () => ((a = (a * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}
const order = (sku: string, id: string, day: number, q: number): OrderEvent => ({
  eventId: id, eventTime: Date.UTC(2011, 0, 1) + day * D + 1000, sku, orderId: id, kind: q > 0 ? 'ORDER' : 'RETURN', quantity: q, unitPrice: 1, currency: 'GBP', customerId: null, country: null,
});

/** A store under a prefix of its own (for a test that breaks its keys), removed afterwards. */
async function withOwnStore(tag: string, f: (s: RedisStateStore, prefix: string) => Promise<void>): Promise<void> {
  const own = uniq(tag);
  const s = new RedisStateStore(REDIS_URL, own, settings);
  await s.connect();
  try {
    await f(s, own);
  } finally {
    await s.close();
    await deleteKeysWithPrefix(own);
  }
}

beforeAll(async () => {
  store = new RedisStateStore(REDIS_URL, prefix, settings);
  await store.connect();
});
afterAll(async () => {
  await store.close();
  await deleteKeysWithPrefix(prefix);
});

test('shuffled batches of a hot product (more events than one script call takes) equal the batch filter and the memory store', async () => {
  const r = rand(42);
  const events = Array.from({ length: 5000 }, (_, i) => order('HOT1', `e${i}`, Math.floor(r() * 50), Math.floor(r() * 9) - 2 || 1));
  const shuffled = [...events].sort(() => r() - 0.5);
  const memory = new MemoryStateStore(settings);
  for (let i = 0; i < shuffled.length; i += 3000) {
    await store.applyOrders(shuffled.slice(i, i + 3000));
    await memory.applyOrders(shuffled.slice(i, i + 3000));
  }
  expect(await store.applyOrders(events.slice(0, 2500))).toEqual({ applied: 0, duplicates: 2500, tooLate: 0 });
  const [snap] = await store.read(['HOT1']);
  const sums = new Array(50).fill(0);
  for (const e of events) sums[Math.floor((e.eventTime - Date.UTC(2011, 0, 1)) / D)] += e.quantity;
  expect(Array.from(snap.demand!.values)).toEqual(sums.slice(0, snap.demand!.values.length));
  const ref = holtFilter(snap.demand!.values, settings);
  expect(snap.smoothing!.level).toBeCloseTo(ref.level, 8);
  expect(snap.smoothing!.trend).toBeCloseTo(ref.trend, 8);
  expect(snap.orderEvents).toBe(5000);
  const [mem] = await memory.read(['HOT1']);
  expect(plainDemand(mem.demand)).toEqual(plainDemand(snap.demand));
  expect(mem.smoothing!.level).toBeCloseTo(snap.smoothing!.level, 8);
});

test('the window: old buckets and ids are trimmed, older events are counted too late', async () => {
  await store.applyOrders([order('WIN1', 'a', 0, 3), order('WIN1', 'b', 10, 1)]);
  expect(await store.applyOrders([order('WIN1', 'c', 100, 2)])).toEqual({ applied: 1, duplicates: 0, tooLate: 0 });
  expect(await store.applyOrders([order('WIN1', 'd', 5, 2), order('WIN1', 'a', 0, 3)])).toEqual({ applied: 0, duplicates: 0, tooLate: 2 });
  const [snap] = await store.read(['WIN1']);
  const base = Date.UTC(2011, 0, 1) / D;
  expect(plainDemand(snap.demand)).toEqual({ oldest: base + 41, latest: base + 100, values: [...new Array(59).fill(0), 2] });
  const redis = store.redis;
  // one dedupe set per epoch of 15 buckets (a quarter of the window): those of days 0 and 10 are gone
  const epoch = (day: number) => Math.floor((base + day) / 15);
  expect(await redis.keys(`${prefix}:{WIN1}:seen:orders:*`)).toEqual([`${prefix}:{WIN1}:seen:orders:${epoch(100)}`]);
  expect(await redis.smembers(`${prefix}:{WIN1}:seen:orders:${epoch(100)}`)).toEqual(['c']);
  // the ring keeps exactly the window: one slot per bucket, only the newest one non-zero
  const ring = (await redis.getBuffer(`${prefix}:{WIN1}:demand`))!;
  expect(ring.length).toBe(60 * 8);
  expect(Array.from({ length: 60 }, (_, i) => ring.readDoubleLE(i * 8)).filter((v) => v !== 0)).toEqual([2]);
  // the smoothing still includes the old events: it is the filter over the whole series
  const full = new Array(101).fill(0);
  full[0] = 3;
  full[10] = 1;
  full[100] = 2;
  expect(snap.smoothing!.level).toBeCloseTo(holtFilter(full, settings).level, 10);
});

test('a window that moves and wraps within and across calls: the ring holds exactly the sums of its buckets', async () => {
  const r = rand(7);
  const base = Date.UTC(2011, 0, 1) / D;
  const skus = ['RUN1', 'RUN2', 'RUN3'];
  const all = new Map(skus.map((s) => [s, [] as OrderEvent[]]));
  const newest = new Map<string, number>();
  let n = 0;
  for (let call = 0; call < 12; call++) {
    const events: OrderEvent[] = [];
    for (const sku of skus) {
      // every event is inside the window the call starts from (none too late), but a call may move
      // the window by up to 45 buckets, so some of its own buckets leave the window by its end
      const top = newest.get(sku);
      const lo = top === undefined ? 100 : top - 59; // days stay positive: they index the sums below
      for (let i = 0; i < 40; i++) {
        const e = order(sku, `w${n++}`, lo + Math.floor(r() * (top === undefined ? 30 : 59 + 45)), Math.floor(r() * 7) - 1 || 2);
        events.push(e);
        all.get(sku)!.push(e);
      }
      newest.set(sku, Math.max(...all.get(sku)!.map((e) => Math.floor((e.eventTime - Date.UTC(2011, 0, 1)) / D))));
    }
    expect(await store.applyOrders(events.sort(() => r() - 0.5))).toEqual({ applied: events.length, duplicates: 0, tooLate: 0 });
  }
  for (const sku of skus) {
    const top = newest.get(sku)!;
    const sums = new Array(top + 1).fill(0);
    for (const e of all.get(sku)!) sums[Math.floor((e.eventTime - Date.UTC(2011, 0, 1)) / D)] += e.quantity;
    const [snap] = await store.read([sku]);
    expect(plainDemand(snap.demand)).toEqual({ oldest: base + top - 59, latest: base + top, values: sums.slice(top - 59) });
    // slot by slot: each holds its window bucket's sum, nothing is left of the buckets that left
    const ring = (await store.redis.getBuffer(`${prefix}:{${sku}}:demand`))!;
    for (let k = top - 59; k <= top; k++) expect(ring.readDoubleLE(((base + k) % 60) * 8)).toBe(sums[k]);
    // the smoothing is the filter over the whole series, from the first bucket with an event
    const from = Math.min(...all.get(sku)!.map((e) => Math.floor((e.eventTime - Date.UTC(2011, 0, 1)) / D)));
    const ref = holtFilter(sums.slice(from), settings);
    expect(snap.smoothing!.level).toBeCloseTo(ref.level, 8);
    expect(snap.smoothing!.trend).toBeCloseTo(ref.trend, 8);
    expect(snap.orderEvents).toBe(all.get(sku)!.length);
  }
});

test('a bucket with some known ids adds only the new ones; an id repeated within a call counts once', async () => {
  expect(await store.applyOrders([order('MIX1', 'm1', 3, 5), order('MIX1', 'm2', 3, 7)])).toEqual({ applied: 2, duplicates: 0, tooLate: 0 });
  // m2 is known, m3 and m4 are new in the same bucket, m4 also comes twice in this call
  const r = await store.applyOrders([order('MIX1', 'm2', 3, 7), order('MIX1', 'm3', 3, 11), order('MIX1', 'm4', 3, -2), order('MIX1', 'm4', 3, -2), order('MIX1', 'm5', 4, 1)]);
  expect(r).toEqual({ applied: 3, duplicates: 2, tooLate: 0 });
  const [snap] = await store.read(['MIX1']);
  expect(Array.from(snap.demand!.values)).toEqual([5 + 7 + 11 - 2, 1]);
  expect(snap.orderEvents).toBe(5);
  const ref = holtFilter([0, 0, 0, 21, 1], settings);
  expect(snap.smoothing!.level).toBeCloseTo(ref.level, 10);
  expect(snap.smoothing!.trend).toBeCloseTo(ref.trend, 10);
});

test('orders after the server forgot the scripts (SCRIPT FLUSH, as after a restart) load the script again and apply', async () => {
  await store.redis.script('FLUSH');
  expect(await store.applyOrders([order('FLU1', 'f1', 3, 4), order('FLU1', 'f2', 3, 1)])).toEqual({ applied: 2, duplicates: 0, tooLate: 0 });
  expect(Array.from((await store.read(['FLU1']))[0].demand!.values)).toEqual([5]);
});

test('reviews and listings through the scripts', async () => {
  const rv = (id: string, rating: number, v: number[] | null) => ({
    event: { eventId: id, eventTime: 1e12, sku: 'REV1', reviewId: id, rating, text: 't', language: null }, embedding: v && Float32Array.from(v),
  });
  expect(await store.applyReviews([rv('1', 5, [1, 0, 0]), rv('2', 3, [0, 1, 0]), rv('3', 4, null)])).toEqual({ applied: 3, duplicates: 0, tooLate: 0 });
  expect(await store.applyReviews([rv('2', 3, [0, 1, 0])])).toEqual({ applied: 0, duplicates: 1, tooLate: 0 });
  const [snap] = await store.read(['REV1']);
  expect(snap.reviews).toMatchObject({ count: 3, ratingMean: 4 });
  expect(snap.reviews!.ratingEwm).toBeCloseTo(0.2 * 4 + 0.8 * (0.2 * 3 + 0.8 * 5), 12);
  expect(Array.from(snap.reviews!.embedding!).map((x) => +x.toFixed(6))).toEqual([0.8, 0.2, 0]);
  const l = (id: string, t: number, title: string) => ({ event: { eventId: id, eventTime: t, sku: 'REV1', title, description: 'd', category: 'c', brand: null, price: 2.5, currency: 'GBP' }, embedding: Float32Array.from([0.5, 0.25]), modelId: 'm' });
  expect(await store.applyListings([l('L2', 2e12, 'New'), l('L1', 1e12, 'Old'), l('L2', 2e12, 'New')])).toEqual({ applied: 1, duplicates: 2, tooLate: 0 });
  const [s2] = await store.read(['REV1']);
  expect(s2.listing).toMatchObject({ title: 'New', category: 'c', brand: null, price: 2.5, modelId: 'm' });
  expect(Array.from(s2.listing!.embedding!)).toEqual([0.5, 0.25]);
});

test('a read of more products than one script call takes (several calls), some unknown, some with a listing: each snapshot in the order asked', async () => {
  const skus = Array.from({ length: 620 }, (_, i) => `RD${i}`);
  const known = skus.filter((_, i) => i % 3 !== 2);
  await store.applyOrders(known.map((sku, i) => order(sku, `rd${i}`, 5 + (i % 7), 1 + (i % 4))));
  const listed = known.filter((_, i) => i % 2 === 0);
  await store.applyListings(listed.map((sku, i) => ({ event: { eventId: `rl${i}`, eventTime: 1e12, sku, title: `T ${sku}`, description: 'd', category: `C${i % 5}`, brand: null, price: i + 0.5, currency: 'GBP' }, embedding: Float32Array.from([i, -i]), modelId: 'm' })));
  // the same products read one at a time are the reference for the read of all of them at once
  const one = await Promise.all(skus.map(async (s) => (await store.read([s]))[0]));
  const all = await store.read([...skus].reverse());
  expect(all.map((s) => s.sku)).toEqual([...skus].reverse());
  expect(all.reverse()).toEqual(one);
  // and they hold what was written: demand for the known ones, nothing for the others
  expect(one.filter((s) => s.demand !== null).map((s) => s.sku)).toEqual(known);
  known.forEach((sku, i) => {
    const d = one[skus.indexOf(sku)].demand!;
    expect([sku, d.latest, d.values[d.latest - d.oldest]]).toEqual([sku, Math.floor(order(sku, '', 5 + (i % 7), 1).eventTime / D), 1 + (i % 4)]);
  });
  expect(one.filter((s) => s.listing !== null).map((s) => [s.sku, s.listing!.title, Array.from(s.listing!.embedding!)])).toEqual(listed.map((sku, i) => [sku, `T ${sku}`, [i, -i]]));
});

test("a read where one product's key holds the wrong type fails for good (not retriable), naming WRONGTYPE", () =>
  withOwnStore('rswt', async (s, own) => {
    await s.applyOrders([order('WT1', 'w1', 1, 2), order('WT2', 'w2', 1, 3)]);
    await s.redis.set(productKeys(own, 'WT2').listing, 'not a hash');
    expect(await s.read(['WT1'])).toHaveLength(1);
    const err = await s.read(['WT1', 'WT2']).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'HANDLER_FAILED', retriable: false });
    expect((err as Error).message).toMatch(/WRONGTYPE/);
  }));

test('a read after the server forgot the scripts (SCRIPT FLUSH) loads the script again', async () => {
  await store.applyOrders([order('RFL1', 'rf1', 2, 6)]);
  await store.redis.script('FLUSH');
  const [snap] = await store.read(['RFL1']);
  expect(Array.from(snap.demand!.values).slice(-1)).toEqual([6]);
});

test('taking more dirty products than Lua can unpack at once (the forecaster takes batch size x 8) pops them all', async () => {
  const n = 9000;
  await store.applyOrders(Array.from({ length: n }, (_, i) => order(`D${i}`, `d${i}`, 1, 1)));
  const taken = await store.takeDirty(Date.now() + 1000, 0, 20_000);
  expect(taken.filter((s) => s.startsWith('D')).sort()).toEqual(Array.from({ length: n }, (_, i) => `D${i}`).sort());
  expect(await store.takeDirty(Date.now() + 1000, 0, 20_000)).toEqual([]);
});

test('a service whose series settings differ from those the state was built with stops at connect, naming the variable', async () => {
  for (const [change, name] of [[{ maxBuckets: 120 }, 'SERIES_MAX_BUCKETS'], [{ bucketMs: 3600_000 }, 'BUCKET_MS'], [{ alpha: 0.5 }, 'SMOOTHING_ALPHA'], [{ beta: 0 }, 'SMOOTHING_BETA']] as const) {
    const other = new RedisStateStore(REDIS_URL, prefix, { ...settings, ...change });
    try {
      await expect(other.connect()).rejects.toThrow(new RegExp(`^invalid configuration ${name}: is .+, but the state under KEY_PREFIX "${prefix}" was built with`));
    } finally {
      await other.close();
    }
  }
  // the same settings connect, and the review decay (which only weighs new reviews) may change
  const same = new RedisStateStore(REDIS_URL, prefix, { ...settings, reviewDecay: 0.5 });
  await expect(same.connect()).resolves.toBeUndefined();
  await same.close();
});

test('a failed write of the product index fails the call (retriable), so the chunk is not committed as done', () =>
  withOwnStore('rstouch', async (s, own) => {
    // something else wrote a plain string where the product index (a set) belongs: SADD fails
    await s.redis.set(globalKeys(own).products, 'not a set');
    const err = await s.applyOrders([order('T1', 't1', 1, 2)]).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE', retriable: true });
    expect((err as Error).message).toMatch(/WRONGTYPE/);
  }));

test('a store without the control connection (as the forecaster opens it) opens one connection and stores and reads the same', async () => {
  const clients = async () => ((await store.redis.client('LIST')) as string).trim().split('\n').length;
  const before = await clients();
  const single = new RedisStateStore(REDIS_URL, prefix, settings, undefined, undefined, undefined, { control: false });
  await single.connect();
  try {
    expect(await clients()).toBe(before + 1);
    expect(single.control).toBe(single.redis);
    expect(single.ready).toBe(true);
    expect(await single.applyOrders([order('ONE1', 'x1', 3, 4), order('ONE1', 'x2', 4, 1)])).toEqual({ applied: 2, duplicates: 0, tooLate: 0 });
    // the marks and the watermark go on the one connection: the two-connection store sees them
    const [snap] = await store.read(['ONE1']);
    expect(Array.from(snap.demand!.values).slice(-2)).toEqual([4, 1]);
    expect(await store.redis.sismember(globalKeys(prefix).products, 'ONE1')).toBe(1);
  } finally {
    await single.close();
  }
});
