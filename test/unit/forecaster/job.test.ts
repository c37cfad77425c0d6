/**
 * ForecastJob's pipelined passes (runAll / fullPass) and the scheduler's on-change path on the
 * in-memory store: every product once, two reads ahead of the batch forecast, an offloaded model
 * started on a batch as soon as it is read, at most two
 * publishes in flight, errors surfacing, stop honoured; and modelInput against snapshotToSeries.
 */
import { codecFor } from '../../../shared/avro/codec';
import { MemoryBus } from '../../../shared/adapters/memory/bus';
import { MemoryStateStore } from '../../../shared/adapters/memory/state-store';
import type { OutboundMessage, Publisher } from '../../../shared/adapters/transport';
import type { OrderEvent, Trend } from '../../../shared/domain/events';
import { snapshotToSeries } from '../../../shared/forecasting/from-snapshot';
import { holtFilter } from '../../../shared/domain/smoothing';
import type { ProductSnapshot } from '../../../shared/domain/state';
import type { ForecastModel } from '../../../shared/forecasting/model';
import { ForecastJob, modelInput, type JobObserver } from '../../../services/forecaster/job';
import { TrendcastError } from '../../../shared/errors';
import { Scheduler } from '../../../services/forecaster/scheduler';
import { createLogger } from '../../../shared/log';

const D = 86_400_000;
const T0 = Date.UTC(2011, 0, 3);
const settings = { alpha: 0.3, beta: 0.1, bucketMs: D, maxBuckets: 60, reviewDecay: 0.1 };
const codec = codecFor<Trend>('trend');
let n = 0;
const order = (sku: string, day: number, q: number): OrderEvent => ({
  eventId: `o${n++}`, eventTime: T0 + day * D + 3600_000, sku, orderId: `o${n}`, kind: 'ORDER', quantity: q, unitPrice: 1, currency: 'GBP', customerId: null, country: null,
});

/** Logs the order of reads, forecasts and publishes; publishes take `delayMs` and may fail. */
function harness(skus: string[], opts: { delayMs?: number; failAt?: number; observer?: JobObserver; offloaded?: boolean } = {}) {
  const store = new MemoryStateStore(settings);
  const log: string[] = [];
  const read = store.read.bind(store);
  store.read = async (batch: string[]) => {
    log.push(`read ${batch[0]}`);
    return read(batch);
  };
  let inFlight = 0;
  let maxInFlight = 0;
  let calls = 0;
  const published: string[] = [];
  const publisher: Publisher = {
    publish: async (_topic: string, messages: OutboundMessage[]) => {
      const call = calls++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      log.push(`publish ${messages[0].key}`);
      await new Promise((r) => setTimeout(r, opts.delayMs ?? 5));
      inFlight--;
      log.push(`done ${messages[0].key}`);
      if (call === opts.failAt) throw new Error('broker down');
      published.push(...messages.map((m) => codec.decode(m.value).value.sku));
    },
  };
  const model: ForecastModel = {
    name: 'flat',
    offloaded: opts.offloaded,
    forecast: async (batch, h) => {
      log.push(`forecast ${batch[0].sku}`);
      return batch.map((s) => ({ p10: new Array(h).fill(0), p50: new Array(h).fill(s.history.length), p90: new Array(h).fill(9) }));
    },
  };
  const job = new ForecastJob({
    store, publisher, topic: 'trends', codec, model: { current: () => ({ model, version: 'v' }), refit: async () => {} },
    settings: { alpha: 0.3, beta: 0.1, bucketMs: D, horizon: 3, flatBand: 0.01 },
    observer: opts.observer,
  });
  const load = () => store.applyOrders(skus.flatMap((sku, i) => [order(sku, i % 5, 2), order(sku, 6, 1)]));
  return { store, job, log, published, load, maxInFlight: () => maxInFlight };
}

const skus = Array.from({ length: 10 }, (_, i) => `P${String(i).padStart(2, '0')}`);

describe('ForecastJob pipelined passes', () => {
  test('runAll publishes every product once, at most two publishes in flight, the next read during the forecast', async () => {
    const h = harness(skus, { delayMs: 20 });
    await h.load();
    expect(await h.job.runAll(skus, 3)).toBe(10);
    expect([...h.published].sort()).toEqual(skus);
    expect(h.maxInFlight()).toBe(2);
    // batches k+1 and k+2 are read before batch k is forecast; batches k+1 and k+2 are forecast while batch k's publish is pending
    expect(h.log.slice(0, 10)).toEqual(['read P00', 'read P03', 'read P06', 'forecast P00', 'publish P00', 'read P09', 'forecast P03', 'publish P03', 'forecast P06', 'done P00']);
    expect(h.log.filter((l) => l.startsWith('read'))).toEqual(['read P00', 'read P03', 'read P06', 'read P09']);
  });

  test('an offloaded model (the LSTM on its thread) is started on each batch as soon as it is read, before the batch ahead is published', async () => {
    const h = harness(skus, { delayMs: 20, offloaded: true });
    await h.load();
    expect(await h.job.runAll(skus, 3)).toBe(10);
    expect([...h.published].sort()).toEqual(skus);
    // batches 1 and 2 are under way before batch 0 is handed to the publisher (a model on this thread: after, above)
    expect(h.log.slice(0, 8)).toEqual(['read P00', 'read P03', 'forecast P00', 'forecast P03', 'read P06', 'publish P00', 'forecast P06', 'read P09']);
  });

  test('runAll starts with a batch of at most 100 (the one read nothing overlaps), then full batches', async () => {
    const many = Array.from({ length: 260 }, (_, i) => `Q${String(i).padStart(3, '0')}`);
    const h = harness(many);
    await h.load();
    const sizes: number[] = [];
    const read = h.store.read.bind(h.store);
    h.store.read = async (b: string[]) => (sizes.push(b.length), read(b));
    expect(await h.job.runAll(many, 250)).toBe(260);
    expect(sizes).toEqual([100, 160]);
    expect([...h.published].sort()).toEqual(many);
  });

  test('a failed publish fails the pass (no unhandled rejection), as does a failed read', async () => {
    const h = harness(skus, { failAt: 1 });
    await h.load();
    await expect(h.job.runAll(skus, 3)).rejects.toThrow(/broker down/);
    const g = harness(skus);
    await g.load();
    let reads = 0;
    const read = g.store.read.bind(g.store);
    g.store.read = async (b: string[]) => (++reads === 2 ? Promise.reject(new Error('redis gone')) : read(b));
    await expect(g.job.runAll(skus, 3)).rejects.toThrow(/redis gone/);
  });

  test('a product whose state cannot be read for good is left out and reported; the others are published (runAll and fullPass)', async () => {
    const unreadable: string[] = [];
    const h = harness(skus, { observer: { published: () => {}, unreadable: (sku) => unreadable.push(sku) } });
    await h.load();
    const read = h.store.read.bind(h.store);
    // as RedisStateStore.read fails for a key of the wrong type: the whole call, permanently
    h.store.read = async (b: string[]) => (b.includes('P04') ? Promise.reject(new TrendcastError('HANDLER_FAILED', 'WRONGTYPE', { retriable: false })) : read(b));
    expect(await h.job.runAll(skus, 3)).toBe(9);
    expect([...h.published].sort()).toEqual(skus.filter((s) => s !== 'P04'));
    expect(unreadable).toEqual(['P04']);
    h.published.length = 0;
    expect(await h.job.fullPass(skus, 4, () => false, (e) => { throw e; })).toBe(9);
    expect([...h.published].sort()).toEqual(skus.filter((s) => s !== 'P04'));
    expect(unreadable).toEqual(['P04', 'P04']);
    // a transient failure is not isolated: the pass fails, to be retried whole
    h.store.read = async () => Promise.reject(new TrendcastError('STORE_UNAVAILABLE', 'redis gone', { retriable: true }));
    await expect(h.job.runAll(skus, 3)).rejects.toThrow(/redis gone/);
    expect(unreadable).toHaveLength(2);
  });

  test('runAll reads no further batch once stopped; the batch already read is still published', async () => {
    const h = harness(skus);
    await h.load();
    let forecasts = 0;
    const stopped = () => h.log.filter((l) => l.startsWith('forecast')).length >= 1 && ++forecasts > 0;
    // two batches are read ahead of the first forecast; the fourth is never read
    expect(await h.job.runAll(skus, 3, stopped)).toBe(9);
    expect(h.log.filter((l) => l.startsWith('read'))).toEqual(['read P00', 'read P03', 'read P06']);
    expect([...h.published].sort()).toEqual(skus.slice(0, 9));
  });

  test('fullPass refits once on the state it read, then publishes every product', async () => {
    const store = new MemoryStateStore(settings);
    await store.applyOrders(skus.map((sku, i) => order(sku, i, 1)));
    const bus = new MemoryBus();
    const refits: number[] = [];
    const model: ForecastModel = { name: 'm', forecast: async (b, hz) => b.map(() => ({ p10: new Array(hz).fill(1), p50: new Array(hz).fill(2), p90: new Array(hz).fill(3) })) };
    const job = new ForecastJob({
      store, publisher: bus, topic: 'trends', codec, model: { current: () => ({ model, version: 'v' }), refit: async (inputs) => void refits.push(inputs.length) },
      settings: { alpha: 0.3, beta: 0.1, bucketMs: D, horizon: 2, flatBand: 0.01 },
    });
    expect(await job.fullPass(await store.listProducts(), 4, () => false, (e) => { throw e; })).toBe(10);
    expect(refits).toEqual([10]);
    expect((bus.topics.get('trends') ?? []).map((m) => String(m.key)).sort()).toEqual(skus);
  });
});

describe('Scheduler', () => {
  test('the on-change path forecasts every dirty product once, several batches per take, then nothing is left', async () => {
    const many = Array.from({ length: 37 }, (_, i) => `R${String(i).padStart(2, '0')}`);
    const h = harness(many);
    await h.load();
    const scheduler = new Scheduler(h.store, h.job, { intervalMs: 1e12, pollMs: 10, debounceMs: 0, batchSize: 2 }, createLogger('test', 'error'));
    (scheduler as unknown as { nextFull: number }).nextFull = Infinity; // no full pass due: the dirty path
    expect(await scheduler.tick(Date.now() + 1)).toBe(37);
    expect([...h.published].sort()).toEqual(many);
    // 8 batches of 2 per take: reads of 2 products each, 37 products -> 19 reads
    expect(h.log.filter((l) => l.startsWith('read')).length).toBe(19);
    expect(await scheduler.tick(Date.now() + 1)).toBe(0);
  });

  test('products taken by an on-change pass that failed are forecast on the next tick, though the dirty set no longer has them', async () => {
    const h = harness(skus, { failAt: 1 }); // the second publish fails (the broker went away)
    await h.load();
    const scheduler = new Scheduler(h.store, h.job, { intervalMs: 1e12, pollMs: 10, debounceMs: 0, batchSize: 2 }, createLogger('test', 'error'));
    (scheduler as unknown as { nextFull: number }).nextFull = Infinity;
    await expect(scheduler.tick(Date.now() + 1)).rejects.toThrow('broker down');
    expect(new Set(h.published).size).toBeLessThan(skus.length);
    expect(await h.store.takeDirty(Date.now() + 1, 0, 100)).toEqual([]); // taken: only the scheduler knows them now
    expect(await scheduler.tick(Date.now() + 1)).toBe(skus.length);
    expect([...new Set(h.published)].sort()).toEqual(skus);
    expect(await scheduler.tick(Date.now() + 1)).toBe(0);
  });

  test('products whose pass keeps failing are retried on every tick without holding back the other changes', async () => {
    const h = harness(skus);
    await h.load();
    const forecast = h.job['d'].model.current().model.forecast;
    // a model that fails on one product's batch, every time (a reason of that product's own)
    h.job['d'].model.current().model.forecast = async (b, hz) => (b.some((s) => s.sku === 'P04') ? Promise.reject(new Error('model failed on P04')) : forecast(b, hz));
    const scheduler = new Scheduler(h.store, h.job, { intervalMs: 1e12, pollMs: 10, debounceMs: 0, batchSize: 2 }, createLogger('test', 'error'));
    (scheduler as unknown as { nextFull: number }).nextFull = Infinity;
    await expect(scheduler.tick(Date.now() + 1)).rejects.toThrow('model failed on P04');
    h.published.length = 0;
    await h.store.applyOrders([order('P09', 6, 2)]); // a new change while P04 keeps failing
    await expect(scheduler.tick(Date.now() + 1)).rejects.toThrow('model failed on P04');
    expect(h.published).toContain('P09');
    expect(h.published).not.toContain('P04');
  });

  test('a full pass that failed is tried again within 10 s, not a whole interval later', async () => {
    const h = harness(skus, { failAt: 0 });
    await h.load();
    await h.store.takeDirty(Date.now() + 1, 0, 100); // no changes pending: only full passes publish
    const scheduler = new Scheduler(h.store, h.job, { intervalMs: 3_600_000, pollMs: 10, debounceMs: 0, batchSize: 4 }, createLogger('test', 'error'));
    const t0 = Date.now();
    await expect(scheduler.tick(t0)).rejects.toThrow('broker down');
    expect(await scheduler.tick(t0 + 9_999)).toBe(0); // not yet
    expect(await scheduler.tick(t0 + 10_000)).toBe(skus.length); // the full pass again
    expect([...new Set(h.published)].sort()).toEqual(skus);
    expect(await scheduler.tick(t0 + 20_000)).toBe(0); // then the normal interval
    expect(await scheduler.tick(t0 + 10_000 + 3_600_000)).toBe(skus.length);
  });
});

describe('modelInput', () => {
  const snap = (demand: ProductSnapshot['demand']): ProductSnapshot => ({
    sku: 'S', demand, smoothing: null, orderEvents: 0, lastOrderTime: 0, reviews: null,
    listing: { title: 't', description: 'd', category: 'c', brand: null, price: 2.5, currency: 'GBP', eventTime: 1, embedding: new Float32Array([1, 0]), modelId: 'm' },
  });
  test('is snapshotToSeries with a Float64Array history', () => {
    const cases: [ProductSnapshot['demand'], number][] = [
      [{ oldest: 10, latest: 15, values: [0, -2, 3, 0, 4, 1] }, 15],
      [{ oldest: 10, latest: 15, values: [0, -2, 3, 0, 4, 1] }, 13], // origin inside: the tail is cut
      [{ oldest: 10, latest: 15, values: [0, -2, 3, 0, 4, 1] }, 20], // origin after: zero-filled
      [{ oldest: 10, latest: 12, values: [0, 0, 0] }, 14], // never sold
      [{ oldest: 10, latest: 12, values: [5, 1, 2] }, 9], // origin before the first bucket
      [null, 12],
    ];
    for (const [demand, origin] of cases) {
      const want = snapshotToSeries(snap(demand), origin, D);
      const got = modelInput(snap(demand), origin, D);
      expect(got.history).toBeInstanceOf(Float64Array);
      expect({ ...got, history: Array.from(got.history) }).toEqual({ ...want, history: Array.from(want.history) });
    }
  });
});

/** The one Trend a job publishes for `sku`, with a model forecasting the same (p10, p50, p90) on every step. */
async function trendOf(store: MemoryStateStore, sku: string, [p10, p50, p90]: number[], horizon: number): Promise<Trend> {
  const bus = new MemoryBus();
  const model: ForecastModel = { name: 'm', forecast: async (b, hz) => b.map(() => ({ p10: new Array(hz).fill(p10), p50: new Array(hz).fill(p50), p90: new Array(hz).fill(p90) })) };
  const job = new ForecastJob({
    store, publisher: bus, topic: 'trends', codec, model: { current: () => ({ model, version: 'v' }), refit: async () => {} },
    settings: { alpha: 0.3, beta: 0.1, bucketMs: D, horizon, flatBand: 0.01 },
  });
  await job.runAll([sku], 10);
  return codec.decode(bus.topics.get('trends')![0].value as Buffer).value;
}

describe('the trend travels with its forecast: level and slope as of the origin, the last complete bucket', () => {
  test('a steady seller with a little sold so far today is FLAT, and its level and slope are the filter over complete days', async () => {
    const store = new MemoryStateStore(settings);
    // 10 a day for 30 days, then 1 unit in the first hour of day 30 (the watermark's, unfinished, bucket)
    await store.applyOrders([...Array.from({ length: 30 }, (_, d) => order('STEADY', d, 10)), order('STEADY', 30, 1)]);
    const t = await trendOf(store, 'STEADY', [8, 10, 12], 2);
    const ref = holtFilter(new Array(30).fill(10), settings);
    expect(t.level).toBeCloseTo(ref.level, 9);
    expect(t.slope).toBeCloseTo(ref.trend / ref.level, 9);
    expect(t.direction).toBe('FLAT');
    // with the partial day counted, the same state would have read as falling
    const [snap] = await store.read(['STEADY']);
    expect(snap.smoothing!.trend / snap.smoothing!.level).toBeLessThan(-0.01);
    expect(t.horizon[0].bucketStart).toBe(Math.floor((T0 + 30 * D) / D) * D);
  });
});

describe('the trend carries leadP90 for the restock rule (schema v3)', () => {
  test('a product selling 6 every 5th day: leadP90 from its own past totals, above its summed daily p90s of 0', async () => {
    const store = new MemoryStateStore(settings);
    await store.applyOrders([...Array.from({ length: 8 }, (_, k) => order('LUMPY', 5 * k, 6)), order('LUMPY', 40, 1)]);
    // an intermittent product's daily quantiles: p90 0 on every day
    const t = await trendOf(store, 'LUMPY', [0, 0, 0], 7);
    expect(t.leadP90).toHaveLength(7);
    // history up to the origin (day 39): a sale of 6 on days 0, 5, ..., 35, then 4 days of nothing
    expect(t.leadP90[4]).toBe(6); // every 5-day window holds exactly one sale
    expect(t.leadP90[0]).toBe(6); // 1-day totals: 8 sixes of 40 days, their p90 (position 35.1 of 0..39) is a six
    expect(t.leadP90.every((v, i) => i === 0 || v >= t.leadP90[i - 1])).toBe(true);
    expect(t.horizon.every((h) => h.p90 === 0)).toBe(true);
  });
});
