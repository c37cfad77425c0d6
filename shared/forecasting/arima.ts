/**
 * ARIMA(p,d,q)(0,D,0)_7 with automatic order selection, kept cheap enough for thousands of series
 * per second:
 * - differencing as auto.arima does it, by tests rather than AIC: D = 1 when the weekly seasonal
 *   strength (classical decomposition) exceeds 0.64, then d = 1 when the KPSS level-stationarity
 *   statistic exceeds its 5% critical value 0.463;
 * - p, q in 0..maxOrder fitted by conditional least squares: AR orders exactly by OLS, ARMA orders by
 *   Hannan-Rissanen (a long AR gives residual estimates, then OLS on lagged values and residuals),
 *   scored by the CSS residuals; the order with the lowest AIC wins. Non-stationary or
 *   non-invertible estimates are rejected.
 */
import type { PointForecaster } from './calibrated';
import { ols } from './linalg';
import { tail } from './series';
import { kpss, seasonalStrength, difference, undifference } from './arima-tests';

export interface ArmaFit {
  p: number;
  q: number;
  mean: number;
  phi: Float64Array;
  theta: Float64Array;
  sigma2: number;
  aic: number;
  /** CSS residuals (0 for the conditioning start). */
  residuals: Float64Array;
}

export interface ArimaFit extends ArmaFit {
  d: number;
  D: number;
}

/** Stationarity (AR) or invertibility (MA, sign-flipped) of a polynomial of order <= 2. */
export function insideUnitRegion(c: Float64Array): boolean {
  if (c.length === 0) return true;
  if (c.length === 1) return Math.abs(c[0]) < 0.999;
  const [a, b] = c;
  return Math.abs(b) < 0.999 && a + b < 0.999 && b - a < 0.999;
}

/** CSS residuals of an ARMA with the given coefficients on the de-meaned series. */
export function cssResiduals(x: Float64Array, mean: number, phi: Float64Array, theta: Float64Array): { e: Float64Array; sse: number; n: number } {
  const p = phi.length;
  const q = theta.length;
  const e = new Float64Array(x.length);
  let sse = 0;
  for (let t = p; t < x.length; t++) {
    let f = mean;
    for (let i = 0; i < p; i++) f += phi[i] * (x[t - 1 - i] - mean);
    for (let j = 0; j < q; j++) if (t - 1 - j >= 0) f += theta[j] * e[t - 1 - j];
    e[t] = x[t] - f;
    sse += e[t] * e[t];
  }
  return { e, sse, n: x.length - p };
}

/** Residuals of a long AR(m) fitted by OLS, the first step of Hannan-Rissanen. */
function longArResiduals(x: Float64Array, m: number): Float64Array | undefined {
  const beta = ols(m + 1, m, x.length, (t, r) => {
    r[0] = 1;
    for (let i = 1; i <= m; i++) r[i] = x[t - i];
    return x[t];
  });
  if (!beta) return undefined;
  const e = new Float64Array(x.length);
  for (let t = m; t < x.length; t++) {
    let f = beta[0];
    for (let i = 1; i <= m; i++) f += beta[i] * x[t - i];
    e[t] = x[t] - f;
  }
  return e;
}

/** Fits ARMA(p,q) (with a mean when `withMean`); undefined when the estimate is unusable. */
export function fitArma(x: Float64Array, p: number, q: number, withMean: boolean, longAr?: Float64Array): ArmaFit | undefined {
  const m = longAr ? Math.min(10, Math.floor(x.length / 5)) : 0;
  if (q > 0 && !longAr) return undefined;
  const start = q > 0 ? m + q : p;
  const k = (withMean ? 1 : 0) + p + q;
  let phi = new Float64Array(p);
  let theta = new Float64Array(q);
  let mean = 0;
  if (k > 0) {
    if (x.length - start < 2 * k + 4) return undefined;
    const beta = ols(k, start, x.length, (t, r) => {
      let c = 0;
      if (withMean) r[c++] = 1;
      for (let i = 1; i <= p; i++) r[c++] = x[t - i];
      for (let j = 1; j <= q; j++) r[c++] = longAr![t - j];
      return x[t];
    });
    if (!beta) return undefined;
    const c0 = withMean ? 1 : 0;
    phi = beta.slice(c0, c0 + p);
    theta = beta.slice(c0 + p, c0 + p + q);
    const arSum = phi.reduce((a, b) => a + b, 0);
    mean = withMean ? beta[0] / (1 - arSum) : 0;
  }
  if (!insideUnitRegion(phi) || !insideUnitRegion(theta.map((v) => -v))) return undefined;
  const { e, sse, n } = cssResiduals(x, mean, phi, theta);
  const sigma2 = sse / n;
  const aic = n * Math.log(Math.max(sigma2, 1e-12)) + 2 * (k + 1);
  return { p, q, mean, phi, theta, sigma2, aic, residuals: e };
}

export interface ArimaOptions {
  maxP?: number;
  maxQ?: number;
  /** Days of history used (the order search stays cheap on a bounded window). */
  window?: number;
  /** Allow seasonal differencing at lag 7. */
  seasonal?: boolean;
  period?: number;
}

export function autoArima(y: Float64Array, opts: ArimaOptions = {}): ArimaFit | undefined {
  const period = opts.period ?? 7;
  const D = opts.seasonal !== false && y.length >= 4 * period && seasonalStrength(y, period) > 0.64 ? 1 : 0;
  let x = D ? difference(y, period) : y;
  const d = x.length >= 12 && kpss(x) > 0.463 ? 1 : 0;
  if (d) x = difference(x, 1);
  const withMean = d + D === 0;
  const maxP = opts.maxP ?? 2;
  const maxQ = opts.maxQ ?? 2;
  const longAr = maxQ > 0 && x.length >= 30 ? longArResiduals(x, Math.min(10, Math.floor(x.length / 5))) : undefined;
  let best: ArmaFit | undefined;
  for (let p = 0; p <= maxP; p++) {
    for (let q = 0; q <= maxQ; q++) {
      const f = fitArma(x, p, q, withMean, longAr);
      if (f && (!best || f.aic < best.aic)) best = f;
    }
  }
  return best ? { ...best, d, D } : undefined;
}

/** h-step forecasts of the original series: ARMA recursion on the differenced scale, then integrated. */
export function arimaForecast(y: Float64Array, fit: ArimaFit, h: number, period = 7): Float64Array {
  const x = fit.D ? difference(y, period) : y;
  const x1 = fit.d ? difference(x, 1) : x;
  const n = x1.length;
  const ext = new Float64Array(n + h);
  ext.set(x1);
  const e = new Float64Array(n + h);
  e.set(fit.residuals.subarray(0, n));
  for (let t = n; t < n + h; t++) {
    let f = fit.mean;
    for (let i = 0; i < fit.p; i++) f += fit.phi[i] * ((t - 1 - i >= 0 ? ext[t - 1 - i] : fit.mean) - fit.mean);
    for (let j = 0; j < fit.q; j++) if (t - 1 - j >= 0) f += fit.theta[j] * e[t - 1 - j];
    ext[t] = f;
  }
  let w: Float64Array = ext.subarray(n);
  if (fit.d) w = undifference(w, x, 1);
  if (fit.D) w = undifference(w, y, period);
  return w;
}

export class ArimaForecaster implements PointForecaster {
  readonly name = 'arima';
  constructor(private readonly opts: ArimaOptions = {}) {}

  point(history: Float64Array, h: number): Float64Array {
    const y = tail(history, this.opts.window ?? 140);
    const fit = y.length >= 14 ? autoArima(y, this.opts) : undefined;
    if (!fit) return new Float64Array(h).fill(y.reduce((a, b) => a + b, 0) / Math.max(1, y.length));
    return arimaForecast(y, fit, h, this.opts.period ?? 7);
  }
}
