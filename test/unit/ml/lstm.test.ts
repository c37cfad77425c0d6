/**
 * A small backtest on synthetic products with known structure: the global LSTM must beat seasonal
 * naive on held-out days, keep its quantiles ordered, and forecast new products from text + price.
 */
import { initBackend } from '../../../shared/ml/backend';
import { GlobalLstmModel } from '../../../shared/ml/lstm';
import { wql } from '../../../shared/backtest/metrics';
import { seasonalNaiveBaseline } from '../../../shared/backtest/baselines';
import type { QuantileForecast } from '../../../shared/forecasting/model';
import { SynthProduct, actualAfter, inputAt, synthProducts } from './synthetic';

const START = 15000;
const DAYS = 200;
const H = 28;
const ORIGIN = START + DAYS - 1 - H;
// 8 epochs (4 before session 3): the ses-residual head no longer learns each product's level from
// text and price on established examples, so only the cold examples teach the text-to-level mapping.
const small = { lookback: 28, hidden: 16, dense: 32, epochs: 8, samplesPerEpoch: 4096, batchSize: 256, coldShare: 0.4, seed: 3 };

let products: SynthProduct[];
let established: SynthProduct[];
let fresh: SynthProduct[];
let model: GlobalLstmModel;
let fe: QuantileForecast[];

const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

beforeAll(async () => {
  await initBackend('wasm');
  products = synthProducts(240, DAYS, START, 11);
  established = products.filter((p) => p.firstDay <= ORIGIN);
  fresh = products.filter((p) => p.firstDay > ORIGIN && p.firstDay <= ORIGIN + H);
  model = new GlobalLstmModel(small);
  await model.fit(established.map((p) => inputAt(p, ORIGIN, true, true)), { horizon: H });
  fe = await model.forecast(established.map((p) => inputAt(p, ORIGIN, true, true)), H);
}, 120_000);

afterAll(() => model?.dispose());

describe('GlobalLstmModel on a synthetic series with known structure', () => {
  it('beats seasonal naive on WQL and MAE over the held-out 28 days', () => {
    const actual = established.map((p) => actualAfter(p, ORIGIN, H));
    const sn = established.map((p) => seasonalNaiveBaseline(inputAt(p, ORIGIN).history, H));
    const lstmWql = wql(actual, fe);
    const snWql = wql(actual, sn);
    const mae = (fs: QuantileForecast[]) => meanOf(actual.map((a, i) => meanOf(Array.from(a, (y, h) => Math.abs(y - fs[i].p50[h])))));
    expect(lstmWql).toBeLessThan(0.75 * snWql);
    expect(mae(fe)).toBeLessThan(mae(sn));
  });

  it('learns the weekly pattern: Saturdays (shop closed) forecast near zero', () => {
    const sat: number[] = [];
    const wed: number[] = [];
    fe.forEach((f) => f.p50.forEach((v, h) => {
      const wd = (((ORIGIN + 1 + h + 4) % 7) + 7) % 7;
      if (wd === 6) sat.push(v);
      if (wd === 3) wed.push(v);
    }));
    expect(meanOf(sat)).toBeLessThan(0.2 * meanOf(wed));
  });

  it('returns ordered, non-negative quantiles for every step', () => {
    for (const f of fe) {
      expect(f.p50).toHaveLength(H);
      for (let h = 0; h < H; h++) {
        expect(f.p10[h]).toBeGreaterThanOrEqual(0);
        expect(f.p10[h]).toBeLessThanOrEqual(f.p50[h]);
        expect(f.p50[h]).toBeLessThanOrEqual(f.p90[h]);
      }
    }
  });

  it('covers roughly the nominal 80% between p10 and p90', () => {
    let inside = 0;
    let n = 0;
    established.forEach((p, i) => actualAfter(p, ORIGIN, H).forEach((y, h) => {
      n++;
      if (y >= fe[i].p10[h] && y <= fe[i].p90[h]) inside++;
    }));
    // 0.849 on 6,496 points here (wasm backend, seeded); the band leaves room for another backend's
    // arithmetic, not for intervals that cover nearly everything
    expect(inside / n).toBeGreaterThan(0.72);
    expect(inside / n).toBeLessThan(0.92);
  });

  it('forecasts new products (empty history) from text and price: high-level clusters above low ones', async () => {
    expect(fresh.length).toBeGreaterThan(3);
    const cold = products.map((p) => ({ ...inputAt(p, ORIGIN), history: new Float64Array(0), startTime: (ORIGIN + 1) * 86_400_000 }));
    const fc = await model.forecast(cold, H);
    // Mean of the three quantiles: a new product's launch day inside the window is unknown, so its p50 is low.
    const level = (c: number) => meanOf(fc.filter((_, i) => products[i].cluster === c).map((f) => meanOf([...f.p10, ...f.p50, ...f.p90])));
    // True levels rise with the cluster (1.5, 4, 9, 20): the forecast must order the extremes from text alone.
    expect(level(3)).toBeGreaterThan(1.4 * level(0));
    expect(level(2)).toBeGreaterThan(level(0));
    for (const f of fc) expect(f.p90.every((v, h) => v >= f.p10[h])).toBe(true);
  });

  it('records validation metrics and the training window in its metadata', () => {
    const m = model.metadata;
    expect(m.validation!.established.products).toBeGreaterThan(100);
    expect(m.validation!.established.wql).toBeLessThan(m.validation!.established.seasonalNaiveWql);
    expect(m.training!.windows.established).toBeGreaterThan(100);
    expect(m.scalers.pca!.k).toBe(12);
    expect(m.features.staticFeatures).toHaveLength(m.shape.staticDims);
  });

  it('rejects a horizon longer than the trained one', async () => {
    await expect(model.forecast([inputAt(products[0], ORIGIN)], H + 1)).rejects.toThrow(/horizon 29/);
  });
});
