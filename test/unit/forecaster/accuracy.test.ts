import { Registry } from 'prom-client';
import { codecFor } from '../../../shared/avro/codec';
import { MemoryBus } from '../../../shared/adapters/memory/bus';
import { MemoryStateStore } from '../../../shared/adapters/memory/state-store';
import type { OrderEvent, Trend } from '../../../shared/domain/events';
import type { ProductSnapshot } from '../../../shared/domain/state';
import type { ForecastModel } from '../../../shared/forecasting/model';
import { accuracyHorizons, AccuracyTracker, demandAt } from '../../../services/forecaster/accuracy';
import { ForecastJob } from '../../../services/forecaster/job';
import { accuracyMetrics } from '../../../services/forecaster/metrics';

const snap = (sku: string, demand: ProductSnapshot['demand']): ProductSnapshot => ({
  sku, demand, smoothing: null, orderEvents: 0, lastOrderTime: 0, listing: null, reviews: null,
});
const byH = (t: AccuracyTracker) => Object.fromEntries(t.summary().map((s) => [s.horizon, s]));

describe('AccuracyTracker scores published p50s against realized demand', () => {
  test('hand-computed WAPE per horizon, only once a bucket is complete', () => {
    const t = new AccuracyTracker({ horizons: [1, 2], windowBuckets: 3, maxProducts: 10 });
    const a = snap('A', { oldest: 8, latest: 11, values: [1, 2, 5, 3] });
    t.record('A', 10, [4, 6, 8]); // h1 -> bucket 10 (p50 4), h2 -> bucket 11 (p50 6)
    expect(t.resolve(a, 9)).toEqual([]); // bucket 10 not complete yet
    expect(t.resolve(a, 10)).toEqual([{ horizon: 1, absError: 1, actual: 5, points: 1 }]);
    expect(byH(t)[1]).toMatchObject({ wape: 0.2, points: 1 });
    expect(byH(t)[2]).toMatchObject({ wape: null, points: 0 });
    t.record('A', 11, [2, 2]); // h1 -> 11 (p50 2), h2 -> 12 (p50 2)
    expect(t.resolve(a, 11)).toEqual([
      { horizon: 1, absError: 1, actual: 3, points: 1 },
      { horizon: 2, absError: 3, actual: 3, points: 1 },
    ]);
    expect(byH(t)[1].wape).toBeCloseTo(2 / 8, 12);
    expect(byH(t)[2].wape).toBeCloseTo(1, 12);
    // the clock moves to 13: window (10, 13] drops bucket 10; bucket 12 sold nothing (y = 0)
    expect(t.resolve(a, 13)).toEqual([{ horizon: 2, absError: 2, actual: 0, points: 1 }]);
    expect(byH(t)[1]).toMatchObject({ absError: 1, actual: 3, points: 1 });
    expect(byH(t)[2]).toMatchObject({ absError: 5, actual: 3, points: 2 });
    expect(byH(t)[2].wape).toBeCloseTo(5 / 3, 12);
    expect(t.pendingCount()).toBe(0);
  });

  test('a later forecast from the same origin replaces the earlier p50; a window without demand has no WAPE', () => {
    const t = new AccuracyTracker({ horizons: [1], windowBuckets: 5, maxProducts: 10 });
    t.record('B', 20, [9]);
    t.record('B', 20, [1]);
    expect(t.pendingCount()).toBe(1);
    expect(t.resolve(snap('B', null), 20)).toEqual([{ horizon: 1, absError: 1, actual: 0, points: 1 }]);
    expect(byH(t)[1]).toMatchObject({ wape: null, points: 1, absError: 1 });
  });

  test('points scored for buckets older than the window count in the increments, not in the window', () => {
    const t = new AccuracyTracker({ horizons: [1], windowBuckets: 2, maxProducts: 10 });
    t.record('C', 5, [1]);
    t.resolve(snap('D', null), 10); // another product moves the clock to 10
    expect(t.resolve(snap('C', { oldest: 5, latest: 5, values: [4] }), 10)).toEqual([{ horizon: 1, absError: 3, actual: 4, points: 1 }]);
    expect(byH(t)[1]).toMatchObject({ points: 0, wape: null });
  });

  test('memory is bounded: the least recently forecast product is forgotten first', () => {
    const t = new AccuracyTracker({ horizons: [1, 7], windowBuckets: 5, maxProducts: 2 });
    t.record('A', 1, new Array(7).fill(1));
    t.record('B', 1, new Array(7).fill(1));
    t.record('A', 2, new Array(7).fill(1)); // A is now the most recent
    t.record('C', 1, [1]); // only h1 fits a 1-step forecast
    expect(t.pendingCount()).toBe(4 + 1); // A: h1 {1,2}, h7 {7,8}; C: h1 {1}; B dropped
    expect(t.resolve(snap('B', { oldest: 1, latest: 1, values: [3] }), 1)).toEqual([]);
  });

  test('with a grace of 2 buckets, a bucket is scored only once the watermark is 2 buckets past it', () => {
    const t = new AccuracyTracker({ horizons: [1], windowBuckets: 5, maxProducts: 10, graceBuckets: 2 });
    const e = snap('E', { oldest: 30, latest: 33, values: [6, 1, 1, 1] });
    t.record('E', 30, [4]);
    expect(t.resolve(e, 31)).toEqual([]);
    expect(t.resolve(e, 32)).toEqual([{ horizon: 1, absError: 2, actual: 6, points: 1 }]);
  });

  test('demand is max(0, bucket sum) and 0 outside the stored range', () => {
    const s = snap('E', { oldest: 3, latest: 5, values: [2, -4, 1] });
    expect([2, 3, 4, 5, 6].map((b) => demandAt(s, b))).toEqual([0, 2, 0, 1, 0]);
  });

  test('ACCURACY_HORIZONS: steps beyond the forecast horizon are dropped, bad ones named', () => {
    expect(accuracyHorizons(['28', '1', '7', '14', '7'], 14)).toEqual([1, 7, 14]);
    expect(() => accuracyHorizons(['1', 'x'], 28)).toThrow(/ACCURACY_HORIZONS.*"x"/);
    expect(() => accuracyHorizons(['30'], 28)).toThrow(/ACCURACY_HORIZONS.*FORECAST_HORIZON 28/);
  });
});

describe('the forecast job feeds the tracker and the metrics', () => {
  const D = 86_400_000;
  const T0 = Date.UTC(2011, 0, 3);
  let n = 0;
  const order = (day: number, q: number): OrderEvent => ({
    eventId: `o${n++}`, eventTime: T0 + day * D + 3600_000, sku: 'P1', orderId: `o${n}`, kind: 'ORDER', quantity: q, unitPrice: 1, currency: 'GBP', customerId: null, country: null,
  });
  const flat3: ForecastModel = { name: 'flat3', forecast: async (batch, h) => batch.map(() => ({ p10: new Array(h).fill(1), p50: new Array(h).fill(3), p90: new Array(h).fill(5) })) };

  test('WAPE gauge and counters from three passes at advancing watermarks', async () => {
    const store = new MemoryStateStore({ alpha: 0.3, beta: 0.1, bucketMs: D, maxBuckets: 60, reviewDecay: 0.1 });
    const bus = new MemoryBus();
    const registry = new Registry();
    const tracker = new AccuracyTracker({ horizons: [1, 2], windowBuckets: 10, maxProducts: 100 });
    const job = new ForecastJob({
      store, publisher: bus, topic: 'trends', codec: codecFor<Trend>('trend'),
      model: { current: () => ({ model: flat3, version: 'v' }), refit: async () => {} },
      settings: { alpha: 0.3, beta: 0.1, bucketMs: D, horizon: 3, flatBand: 0.01 },
      accuracy: accuracyMetrics(registry, tracker),
    });
    await store.applyOrders([order(0, 4), order(5, 1)]);
    await job.run(['P1']); // watermark in day 5: forecasts day 5 (h1) and day 6 (h2), p50 3
    await store.applyOrders([order(5, 1), order(6, 7)]);
    await job.run(['P1']); // day 5 complete: y = 2, |2 - 3| = 1 (h1); forecasts day 6 (h1), day 7 (h2)
    await store.applyOrders([order(8, 1)]);
    await job.run(['P1']); // days 6, 7 complete: h1 day 6 |7-3| = 4; h2 day 6 |7-3| = 4, day 7 |0-3| = 3
    const json = await registry.getMetricsAsJSON();
    const values = (name: string) => Object.fromEntries(json.find((m) => m.name === name)!.values.map((v) => [v.labels.horizon, v.value]));
    expect(values('trendcast_online_wape')['1']).toBeCloseTo(5 / 9, 12);
    expect(values('trendcast_online_wape')['2']).toBeCloseTo(7 / 7, 12);
    expect(values('trendcast_online_abs_error_total')).toEqual({ 1: 5, 2: 7 });
    expect(values('trendcast_online_actual_demand_total')).toEqual({ 1: 9, 2: 7 });
    expect(values('trendcast_online_scored_points_total')).toEqual({ 1: 2, 2: 2 });
    expect(values('trendcast_online_wape_points')).toEqual({ 1: 2, 2: 2 });
    expect(json.find((m) => m.name === 'trendcast_online_pending_forecasts')!.values[0].value).toBe(2);
  });
});
