/** The restock rule (shared/domain/restock.ts), as the consumers of restock-alerts rely on it. */
import type { InventoryEvent, Trend } from '../../../shared/domain/events';
import {
  alertIdFor, DAY_MS, decide, integrate, leadAt, leadTimeDemand, newestPerSku, step, stockIsNewer, toTrendView, validateTrendForRestock,
  type RestockInput, type RestockState, type StepResult,
} from '../../../shared/domain/restock';

const T0 = Date.UTC(2011, 10, 1);
const rule = { resolveMargin: 0.1 };

function trend(p90: number[], over: Partial<Trend> = {}): Trend {
  return {
    sku: 'A1', generatedAt: T0 + 3600_000, basedOnEventTime: T0 - 1, bucketMs: DAY_MS,
    horizon: p90.map((v, i) => ({ step: i + 1, bucketStart: T0 + i * DAY_MS, p10: v / 4, p50: v / 2, p90: v })),
    direction: 'RISING', slope: 0.1, level: 3, model: 'ets', modelVersion: 'm1', category: null, leadP90: [], ...over,
  };
}
function stock(onHand: number, onOrder: number, leadTimeDays: number, over: Partial<InventoryEvent> = {}): InventoryEvent {
  return { eventId: `inv-${onHand}-${onOrder}`, eventTime: T0, sku: 'A1', onHand, onOrder, leadTimeDays, ...over };
}
const empty = (): RestockState => ({ sku: 'A1', trend: null, stock: null, alert: null });
const changed = (r: StepResult) => {
  if (!r.changed) throw new Error(`expected a change, got ${r.reason}`);
  return r;
};

describe('lead-time demand', () => {
  test('integrate counts whole buckets, fractions of partial ones and carries the last one forward', () => {
    expect(integrate([1, 2, 4], 0, 2)).toBe(3);
    expect(integrate([1, 2, 4], 0.5, 2.25)).toBeCloseTo(0.5 + 2 + 1, 12);
    expect(integrate([1, 2, 4], 2, 5)).toBe(12);
    expect(integrate([1, 2, 4], 3, 3)).toBe(0);
    expect(integrate([], 0, 3)).toBe(0);
  });

  test('lead time days become horizon buckets through bucketMs', () => {
    const daily = toTrendView(trend([5, 6, 7, 8, 9]));
    expect(leadTimeDemand(daily, stock(0, 0, 3))).toMatchObject({ p90: 18, p50: 9, steps: 3, beyondHorizon: false });
    const weekly = toTrendView(trend([70, 140], { bucketMs: 7 * DAY_MS }));
    expect(leadTimeDemand(weekly, stock(0, 0, 14)).p90).toBeCloseTo(210, 9);
    expect(leadTimeDemand(weekly, stock(0, 0, 3)).p90).toBeCloseTo(30, 9);
    expect(leadTimeDemand(daily, stock(0, 0, 7))).toMatchObject({ p90: 5 + 6 + 7 + 8 + 9 + 9 + 9, beyondHorizon: true });
  });

  test('buckets already over when the stock was counted are not in front of it', () => {
    const v = toTrendView(trend([5, 6, 7, 8, 9]));
    expect(leadTimeDemand(v, stock(0, 0, 2, { eventTime: T0 + 1.5 * DAY_MS })).p90).toBeCloseTo(0.5 * 6 + 7 + 0.5 * 8, 12);
  });
});

describe('lead-time demand with the trend\'s leadP90 (schema v3)', () => {
  // an intermittent product: its daily p90s are 0, yet its past weeks mostly held a sale of ~4
  const sparse = (over: Partial<Trend> = {}) => trend([0, 0, 0, 0, 0, 0, 0], { leadP90: [1, 2, 2.5, 3, 3.5, 4, 4], ...over });

  test('the larger of the summed daily p90s and leadP90 at the window length', () => {
    expect(leadTimeDemand(toTrendView(sparse()), stock(0, 0, 3))).toMatchObject({ p90: 2.5, summedP90: 0, steps: 3 });
    expect(leadTimeDemand(toTrendView(sparse()), stock(0, 0, 7)).p90).toBe(4);
    // where the daily p90s sum to more, the sum stands
    const busy = toTrendView(trend([5, 6, 7], { leadP90: [4, 9, 15] }));
    expect(leadTimeDemand(busy, stock(0, 0, 3))).toMatchObject({ p90: 18, summedP90: 18 });
    // a v1/v2 trend (no leadP90) keeps the plain sum
    expect(leadTimeDemand(toTrendView(trend([0, 0, 0])), stock(0, 0, 3)).p90).toBe(0);
  });

  test('leadAt: linear between whole steps, 0 at 0, the last daily p90 carried past the end', () => {
    const v = toTrendView(trend([0, 0, 1], { leadP90: [1, 2, 4] }));
    expect(leadAt(v, 0)).toBe(0);
    expect(leadAt(v, 0.5)).toBeCloseTo(0.5, 12);
    expect(leadAt(v, 1)).toBe(1);
    expect(leadAt(v, 2.25)).toBeCloseTo(2 + 0.25 * 2, 12);
    expect(leadAt(v, 3)).toBe(4);
    expect(leadAt(v, 5)).toBe(4 + 2 * 1);
    expect(leadAt(toTrendView(trend([1, 1])), 2)).toBe(0);
    // weekly buckets: lead days become steps as for the daily values
    const weekly = toTrendView(trend([0, 0], { bucketMs: 7 * DAY_MS, leadP90: [3, 5] }));
    expect(leadTimeDemand(weekly, stock(0, 0, 14)).p90).toBe(5);
  });

  test('an intermittent product now opens an alert the summed daily p90s missed', () => {
    const withLead = changed(step({ ...empty(), stock: { eventId: 'i', eventTime: T0, onHand: 2, onOrder: 0, leadTimeDays: 7 } }, { kind: 'trend', trend: sparse() }, rule, T0));
    expect(withLead.reason).toBe('opened');
    expect(withLead.alert).toMatchObject({ state: 'OPEN', demandP90: 4, available: 2, shortfall: 2 });
    const without = changed(step({ ...empty(), stock: { eventId: 'i', eventTime: T0, onHand: 2, onOrder: 0, leadTimeDays: 7 } }, { kind: 'trend', trend: sparse({ leadP90: [] }) }, rule, T0));
    expect(without.reason).toBe('unchanged');
  });
});

describe('alert transitions', () => {
  test('decide opens above the stock and resolves only below it by the margin', () => {
    expect(decide(false, 10.01, 10, rule)).toBe('OPEN');
    expect(decide(false, 10, 10, rule)).toBeNull();
    expect(decide(true, 9.5, 10, rule)).toBeNull(); // inside the hysteresis band
    expect(decide(true, 9, 10, rule)).toBe('RESOLVED');
    expect(decide(true, 9.99, 10, { resolveMargin: 0 })).toBe('RESOLVED');
  });

  test('a shortage opens one alert; the same trend again and a newer one still short open nothing', () => {
    let s = changed(step(empty(), { kind: 'stock', stock: stock(10, 2, 3) }, rule, 1)).state;
    const short = trend([5, 5, 5, 5]); // 15 over 3 days > 12
    const opened = changed(step(s, { kind: 'trend', trend: short }, rule, 2));
    expect(opened.reason).toBe('opened');
    expect(opened.alert).toMatchObject({ sku: 'A1', state: 'OPEN', demandP90: 15, demandP50: 7.5, available: 12, shortfall: 3, leadTimeDays: 3, modelVersion: 'm1', emittedAt: 2 });
    expect(opened.alert!.basedOnEventTime).toBe(T0);
    s = opened.state;
    expect(step(s, { kind: 'trend', trend: short }, rule, 3)).toEqual({ changed: false, reason: 'stale' });
    const later = changed(step(s, { kind: 'trend', trend: { ...short, generatedAt: short.generatedAt + 1000 } }, rule, 4));
    expect(later).toMatchObject({ reason: 'unchanged', alert: null });
    expect(later.state.alert).toEqual(s.alert);
  });

  test('restocking resolves the open alert under the same alertId', () => {
    let s = changed(step(empty(), { kind: 'trend', trend: trend([5, 5, 5]) }, rule, 1)).state;
    expect(s.alert).toBeNull();
    const opened = changed(step(s, { kind: 'stock', stock: stock(3, 0, 3) }, rule, 2));
    s = opened.state;
    const restocked = changed(step(s, { kind: 'stock', stock: stock(3, 20, 3, { eventTime: T0 + 1000 }) }, rule, 3));
    expect(restocked.alert).toMatchObject({ state: 'RESOLVED', alertId: opened.alert!.alertId, available: 23, shortfall: 0 });
    expect(step(restocked.state, { kind: 'stock', stock: stock(3, 0, 3) }, rule, 4)).toEqual({ changed: false, reason: 'stale' });
  });

  test('enough stock never opens an alert', () => {
    let s = empty();
    for (const input of [{ kind: 'stock' as const, stock: stock(100, 0, 7) }, { kind: 'trend' as const, trend: trend([5, 5, 5, 5, 5, 5, 5]) }]) {
      const r = changed(step(s, input, rule, 1));
      expect(r.alert).toBeNull();
      s = r.state;
    }
  });

  test('alert ids are deterministic per product, trend and stock count, whichever came last', () => {
    const t = toTrendView(trend([1]));
    const st = stock(1, 0, 7);
    const view = { eventId: st.eventId, eventTime: st.eventTime, onHand: st.onHand, onOrder: st.onOrder, leadTimeDays: st.leadTimeDays };
    expect(alertIdFor('A1', t, view)).toBe(alertIdFor('A1', toTrendView(trend([9])), view)); // the forecast's values are not its identity
    expect(alertIdFor('A1', t, view)).not.toBe(alertIdFor('B2', t, view));
    expect(alertIdFor('A1', t, view)).not.toBe(alertIdFor('A1', toTrendView(trend([1], { generatedAt: 5 })), view));
    expect(alertIdFor('A1', t, view)).not.toBe(alertIdFor('A1', t, { ...view, eventId: 'other' }));
    expect(alertIdFor('A1', t, view)).toMatch(/^[0-9a-f]{32}$/);
    // opened by the trend after the stock, or by the stock after the trend: the same alert
    const open = (inputs: RestockInput[]) => inputs.reduce<{ s: RestockState; id?: string }>((acc, input) => {
      const r = changed(step(acc.s, input, rule, 1));
      return { s: r.state, id: r.alert?.alertId ?? acc.id };
    }, { s: empty() }).id;
    const inputs: RestockInput[] = [{ kind: 'stock', stock: stock(1, 0, 7) }, { kind: 'trend', trend: trend([5, 5, 5, 5, 5, 5, 5]) }];
    expect(open(inputs)).toBeDefined();
    expect(open(inputs)).toBe(open([...inputs].reverse()));
  });

  test('within a batch only the newest stock count per product counts', () => {
    const m = newestPerSku([stock(1, 0, 1, { eventTime: 5 }), stock(2, 0, 1, { eventTime: 9 }), stock(3, 0, 1, { eventTime: 7 }), stock(4, 0, 1, { sku: 'B2' })], (e) => e.sku, stockIsNewer);
    expect([...m.values()].map((e) => e.onHand)).toEqual([2, 4]);
  });
});

describe('trend validation for the rule', () => {
  test('rejects what the rule cannot use, naming it', () => {
    expect(validateTrendForRestock(trend([1, 2]))).toBeTruthy();
    expect(() => validateTrendForRestock(trend([]))).toThrow(/horizon is empty/);
    expect(() => validateTrendForRestock(trend([1, NaN]))).toThrow(/step 2 has p50 NaN/);
    expect(() => validateTrendForRestock(trend([1], { bucketMs: 0 }))).toThrow(/bucketMs 0/);
    expect(() => validateTrendForRestock(trend([1], { sku: 'bad sku!' }))).toThrow(/not a product id/);
    expect(validateTrendForRestock(trend([1, 2], { leadP90: [1, 3] }))).toBeTruthy();
    expect(() => validateTrendForRestock(trend([1, 2], { leadP90: [1, 3, 4] }))).toThrow(/leadP90 has 3 values for 2 horizon steps/);
    expect(() => validateTrendForRestock(trend([1, 2], { leadP90: [3, 1] }))).toThrow(/leadP90\[1\] = 1: not finite, non-negative and non-decreasing/);
    expect(() => validateTrendForRestock(trend([1, 2], { leadP90: [-1] }))).toThrow(/leadP90\[0\] = -1/);
    expect(() => validateTrendForRestock(trend([1, 2], { leadP90: [NaN] }))).toThrow(/leadP90\[0\] = NaN/);
  });
});
