import { arimaForecast, autoArima, fitArma } from '../../../shared/forecasting/arima';
import { difference, kpss, seasonalStrength, undifference } from '../../../shared/forecasting/arima-tests';
import { gaussian, mulberry32 } from '../../../shared/forecasting/series';

function simulate(n: number, phi: number[], theta: number[], mean: number, seed: number): Float64Array {
  const rand = gaussian(mulberry32(seed));
  const burn = 200;
  const x = new Float64Array(n + burn);
  const e = new Float64Array(n + burn);
  for (let t = 0; t < n + burn; t++) {
    e[t] = rand();
    let v = e[t];
    phi.forEach((p, i) => (v += t - 1 - i >= 0 ? p * x[t - 1 - i] : 0));
    theta.forEach((q, j) => (v += t - 1 - j >= 0 ? q * e[t - 1 - j] : 0));
    x[t] = v;
  }
  return x.subarray(burn).map((v) => v + mean);
}

describe('ARIMA', () => {
  it('recovers the coefficient and mean of a simulated AR(1)', () => {
    const x = simulate(3000, [0.6], [], 5, 11);
    const f = fitArma(x, 1, 0, true)!;
    expect(f.phi[0]).toBeCloseTo(0.6, 1);
    expect(Math.abs(f.phi[0] - 0.6)).toBeLessThan(0.04);
    expect(Math.abs(f.mean - 5)).toBeLessThan(0.15);
    expect(Math.abs(f.sigma2 - 1)).toBeLessThan(0.08);
  });

  it('recovers an ARMA(1,1) by Hannan-Rissanen and selects an order with AR and MA terms', () => {
    const x = simulate(5000, [0.5], [0.4], 0, 5);
    const auto = autoArima(x, { window: 5000, seasonal: false })!;
    expect(auto.d).toBe(0);
    const f = fitArma(x, 1, 1, true, undefined);
    expect(f).toBeUndefined(); // an MA term needs the long-AR residuals
    expect(auto.p + auto.q).toBeGreaterThanOrEqual(2);
    const arma = autoArima(x, { window: 5000, seasonal: false, maxP: 1, maxQ: 1 })!;
    expect(arma.p).toBe(1);
    expect(arma.q).toBe(1);
    expect(Math.abs(arma.phi[0] - 0.5)).toBeLessThan(0.08);
    expect(Math.abs(arma.theta[0] - 0.4)).toBeLessThan(0.08);
  });

  it('AIC prefers the true AR(2) over AR(1) and white noise', () => {
    const x = simulate(2000, [0.5, 0.3], [], 0, 3);
    const ar1 = fitArma(x, 1, 0, true)!;
    const ar2 = fitArma(x, 2, 0, true)!;
    const wn = fitArma(x, 0, 0, true)!;
    expect(ar2.aic).toBeLessThan(ar1.aic);
    expect(ar1.aic).toBeLessThan(wn.aic);
    expect(Math.abs(ar2.phi[1] - 0.3)).toBeLessThan(0.05);
  });

  it('AR(1) forecasts decay geometrically to the mean', () => {
    const x = simulate(500, [0.7], [], 10, 2);
    const fit = { ...fitArma(x, 1, 0, true)!, d: 0, D: 0 };
    const fc = arimaForecast(x, fit, 5);
    for (let h = 1; h <= 5; h++) expect(fc[h - 1]).toBeCloseTo(fit.mean + fit.phi[0] ** h * (x[x.length - 1] - fit.mean), 9);
  });

  it('KPSS separates white noise from a random walk; seasonal strength finds a weekly pattern', () => {
    const rand = gaussian(mulberry32(9));
    const wn = Float64Array.from({ length: 300 }, () => rand());
    const rw = new Float64Array(300);
    for (let t = 1; t < 300; t++) rw[t] = rw[t - 1] + rand();
    expect(kpss(wn)).toBeLessThan(0.463);
    expect(kpss(rw)).toBeGreaterThan(0.463);
    const weekly = Float64Array.from({ length: 140 }, (_, t) => [5, 0, 3, 8, 1, 6, 2][t % 7] + 0.3 * rand());
    expect(seasonalStrength(weekly, 7)).toBeGreaterThan(0.9);
    expect(seasonalStrength(wn, 7)).toBeLessThan(0.3);
  });

  it('picks seasonal differencing on a strongly weekly series and continues the pattern', () => {
    const pattern = [5, 0, 3, 8, 1, 6, 2];
    const rand = gaussian(mulberry32(4));
    const y = Float64Array.from({ length: 140 }, (_, t) => 20 + pattern[t % 7] + 0.2 * rand());
    const fit = autoArima(y)!;
    expect(fit.D).toBe(1);
    const fc = arimaForecast(y, fit, 7);
    for (let h = 0; h < 7; h++) expect(Math.abs(fc[h] - (20 + pattern[(140 + h) % 7]))).toBeLessThan(1);
  });

  it('undifference inverts difference', () => {
    const y = Float64Array.from([3, 1, 4, 1, 5, 9, 2, 6, 5, 3]);
    for (const lag of [1, 7]) {
      const d = difference(y, lag);
      const base = y.subarray(0, 8);
      const w = d.subarray(8 - lag);
      expect(Array.from(undifference(w, base, lag))).toEqual(Array.from(y.subarray(8)));
    }
  });
});
