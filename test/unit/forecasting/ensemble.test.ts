import { Ensemble } from '../../../shared/forecasting/ensemble';
import { startForecast, type ForecastModel, type QuantileForecast, type SeriesInput } from '../../../shared/forecasting/model';
import { DAY_MS } from '../../../shared/forecasting/series';

const flat = (v: number, h: number): QuantileForecast => ({ p10: new Array(h).fill(v), p50: new Array(h).fill(v), p90: new Array(h).fill(v) });

/** A member that forecasts a fixed value and records the history lengths it was fitted and asked on. */
function constant(name: string, v: number, seen: number[] = []): ForecastModel {
  return {
    name,
    fit: async (train) => void seen.push(...train.map((s) => s.history.length)),
    forecast: async (batch, h) => batch.map(() => flat(v, h)),
  };
}

const series = (n: number, len: number, v: number): SeriesInput[] =>
  Array.from({ length: n }, (_, i) => ({ sku: `P${i}`, history: new Float64Array(len).fill(v), startTime: 0, bucketMs: DAY_MS }));

describe('Ensemble', () => {
  it('puts the weight on the member that is right on the validation window', async () => {
    const e = new Ensemble([constant('low', 0), constant('good', 5), constant('high', 20)]);
    await e.fit(series(10, 100, 5), { horizon: 28 });
    const w = e.fitted!;
    for (const k of [0, 1, 2]) expect(w.weights[k]).toEqual([0, 1, 0]);
    expect(w.validationWql.good).toBe(0);
    expect(w.validationWql.ensemble).toBe(0);
  });

  it('combines complementary members quantile-wise (4 and 6 average to the truth 5)', async () => {
    const e = new Ensemble([constant('under', 4), constant('over', 6)]);
    await e.fit(series(5, 60, 5), { horizon: 28 });
    for (const k of [0, 1, 2]) expect(e.fitted!.weights[k]).toEqual([0.5, 0.5]);
    const f = await e.forecast(series(1, 60, 5), 3);
    expect(f[0].p50).toEqual([5, 5, 5]);
  });

  it('fits members on data cut 28 days before the end, then on all of it', async () => {
    const seen: number[] = [];
    const e = new Ensemble([constant('a', 1, seen)]);
    await e.fit(series(2, 100, 1), { horizon: 28 });
    expect(seen).toEqual([72, 72, 100, 100]);
  });

  it('does not run a member of weight 0 (its forecast adds nothing), and runs every member before fit', async () => {
    const calls: string[] = [];
    const counted = (name: string, v: number): ForecastModel => ({ ...constant(name, v), forecast: async (b, h) => (calls.push(name), b.map(() => flat(v, h))) });
    const e = new Ensemble([counted('low', 0), counted('good', 5), counted('high', 20)]);
    await e.forecast(series(1, 60, 5), 3);
    expect(calls.sort()).toEqual(['good', 'high', 'low']);
    await e.fit(series(10, 100, 5), { horizon: 28 });
    calls.length = 0;
    const f = await e.forecast(series(2, 100, 5), 3);
    expect(calls).toEqual(['good']);
    expect(f[1].p90).toEqual([5, 5, 5]);
  });

  it('starts an offloaded member (the LSTM on its thread) before the members that run on this thread', async () => {
    const order: string[] = [];
    const member = (name: string, v: number, offloaded = false): ForecastModel => ({ name, offloaded, forecast: async (b, h) => (order.push(name), b.map(() => flat(v, h))) });
    const e = new Ensemble([member('a', 2), member('thread', 4, true), member('b', 6)]);
    const f = await e.forecast(series(1, 30, 1), 2);
    expect(order).toEqual(['thread', 'a', 'b']);
    expect(f[0].p50).toEqual([4, 4]); // the mean of all three
  });

  it('start() runs only the offloaded member at once; the rest, called later, runs the others and gives what forecast() gives', async () => {
    const order: string[] = [];
    const member = (name: string, v: number, offloaded = false): ForecastModel => ({ name, offloaded, forecast: async (b, h) => (order.push(name), b.map(() => flat(v, h))) });
    const e = new Ensemble([member('a', 2), member('thread', 4, true), member('b', 6)], { coldStart: constant('cold', 9) });
    const batch = [...series(2, 30, 1), { sku: 'new', history: new Float64Array(0), startTime: 0, bucketMs: DAY_MS }];
    const rest = e.start(batch, 2);
    expect(order).toEqual(['thread']);
    const f = await rest();
    expect(order).toEqual(['thread', 'a', 'b']);
    expect(f).toEqual(await e.forecast(batch, 2));
    expect(f.map((x) => x.p50)).toEqual([[4, 4], [4, 4], [9, 9]]);
  });

  it('startForecast: an offloaded model is called at once, any other only when the rest is called', async () => {
    const calls: string[] = [];
    const model = (name: string, offloaded: boolean): ForecastModel => ({ name, offloaded, forecast: async (b, h) => (calls.push(name), b.map(() => flat(1, h))) });
    const off = startForecast(model('off', true), series(1, 30, 1), 2);
    const local = startForecast(model('local', false), series(1, 30, 1), 2);
    expect(calls).toEqual(['off']);
    expect((await local())[0].p50).toEqual([1, 1]);
    expect((await off())[0].p50).toEqual([1, 1]);
    expect(calls).toEqual(['off', 'local']);
  });

  it('sends products without history to the cold-start model', async () => {
    const e = new Ensemble([constant('a', 1)], { coldStart: constant('cold', 9) });
    const batch = [...series(1, 30, 1), { sku: 'new', history: new Float64Array(0), startTime: 0, bucketMs: DAY_MS }];
    const f = await e.forecast(batch, 2);
    expect(f[0].p50).toEqual([1, 1]);
    expect(f[1].p50).toEqual([9, 9]);
  });

  describe('p50 weights when the point-error optimum differs from the pinball optimum', () => {
    // Every 4th day sells 10, the others nothing: the median (pinball-optimal p50) is 0, the mean
    // (squared-error-optimal point) is 2.5. One member forecasts each, with the same p10/p90.
    const spiky = Array.from({ length: 4 }, (_, i): SeriesInput => ({
      sku: `S${i}`, history: Float64Array.from({ length: 120 }, (_, t) => ((t + i) % 4 === 3 ? 10 : 0)), startTime: 0, bucketMs: DAY_MS,
    }));
    const member = (name: string, p50: number): ForecastModel => ({
      name,
      forecast: async (batch, h) => batch.map(() => ({ p10: new Array(h).fill(0), p50: new Array(h).fill(p50), p90: new Array(h).fill(10) })),
    });
    const fit = async (p50Loss?: 'pinball') => {
      const e = new Ensemble([member('median', 0), member('mean', 2.5)], { p50Loss });
      await e.fit(spiky, { horizon: 28 });
      return e.fitted!;
    };

    it('pinball alone puts all of p50 on the median member', async () => {
      expect((await fit('pinball')).weights[1]).toEqual([1, 0]);
    });

    it('the default (validation WQL + RMSSE) moves part of p50 to the mean member, lowering validation RMSSE', async () => {
      const pin = await fit('pinball');
      const both = await fit();
      expect(both.weights[1][1]).toBeGreaterThan(0);
      expect(both.weights[1][1]).toBeLessThan(1);
      expect(both.validationRmsse.ensemble).toBeLessThan(pin.validationRmsse.ensemble);
      // the criterion it minimises: validation WQL + RMSSE is lower than with the pinball choice
      expect(both.validationWql.ensemble + both.validationRmsse.ensemble).toBeLessThan(pin.validationWql.ensemble + pin.validationRmsse.ensemble);
      // p10 and p90 keep their pinball-chosen weights
      expect(both.weights[0]).toEqual(pin.weights[0]);
      expect(both.weights[2]).toEqual(pin.weights[2]);
    });
  });
});
