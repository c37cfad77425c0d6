/**
 * ARIMA(p,d,q)(0,D,0)_7 with automatic order selection, kept cheap enough for thousands of series
 * per second:
 * - differencing as auto.arima does it, by tests rather than AIC: D = 1 when the weekly seasonal
 *   strength (classical decomposition) exceeds 0.64, then d = 1 when the KPSS level-stationarity
 *   statistic exceeds its 5% critical value 0.463;
 * - p, q in 0..2 by Hannan-Rissanen (a long Yule-Walker AR gives residual estimates, then OLS on
 *   lagged values and residuals; for pure AR orders that is exactly conditional least squares),
 *   the lowest AIC wins (see searchArma); non-stationary or non-invertible estimates are rejected;
 *   fitArma fits one given order the same way and scores it by its CSS residuals.
 */
import type { PointForecaster } from './calibrated';
import { ols, solve, yuleWalker } from './linalg';
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

/** Order of the long AR of Hannan-Rissanen: enough to whiten a weekly series, bounded for short ones. */
const longArOrder = (n: number) => Math.min(8, Math.floor(n / 5));

/** Residuals of a long AR(m) (Yule-Walker), the first step of Hannan-Rissanen; 0 for t < m. */
function longArResiduals(x: Float64Array, m: number): Float64Array | undefined {
  const yw = yuleWalker(x, m);
  if (!yw) return undefined;
  const e = new Float64Array(x.length);
  for (let t = m; t < x.length; t++) {
    let f = yw.mean;
    for (let i = 0; i < yw.phi.length; i++) f += yw.phi[i] * (x[t - 1 - i] - yw.mean);
    e[t] = x[t] - f;
  }
  return e;
}

/** Fits ARMA(p,q) (with a mean when `withMean`); undefined when the estimate is unusable. */
export function fitArma(x: Float64Array, p: number, q: number, withMean: boolean, longAr?: Float64Array): ArmaFit | undefined {
  const m = longAr ? longArOrder(x.length) : 0;
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
  const best = searchArma(x, d + D === 0, opts.maxP ?? 2, opts.maxQ ?? 2);
  return best ? { ...best, d, D } : undefined;
}

/**
 * Order search in one pass over the data: all candidate regressors (1, x_{t-1..P}, e_{t-1..Q}) share
 * one sample range, so one X'X serves every (p, q), each a solve of its sub-block; orders are compared
 * by the AIC of that regression's residual variance (SSE = y'y - b'X'y). Only the winner gets its
 * CSS residuals computed, for the forecast's MA terms.
 */
function searchArma(x: Float64Array, withMean: boolean, maxP: number, maxQ: number): ArmaFit | undefined {
  const m = longArOrder(x.length);
  const longAr = maxQ > 0 && x.length >= 30 ? longArResiduals(x, m) : undefined;
  const Q = longAr ? maxQ : 0;
  const ne = normalEquations(x, longAr, withMean, maxP, Q, longAr ? m + Q : maxP);
  if (!ne) return undefined;
  const c0 = withMean ? 1 : 0;
  // one set of buffers for every candidate order: this loop runs for every product
  const cols = new Int32Array(ne.K);
  const a = new Float64Array(ne.K * ne.K);
  const b = new Float64Array(ne.K);
  let best: { p: number; q: number; beta: Float64Array; aic: number } | undefined;
  for (let p = 0; p <= maxP; p++) {
    for (let q = 0; q <= Q; q++) {
      let k = 0;
      if (withMean) cols[k++] = 0;
      for (let i = 0; i < p; i++) cols[k++] = c0 + i;
      for (let j = 0; j < q; j++) cols[k++] = c0 + maxP + j;
      const fit = subSolve(ne, cols, k, a, b);
      if (!fit) continue;
      if (!inside(fit.beta, c0, p, 1) || !inside(fit.beta, c0 + p, q, -1)) continue;
      const aic = ne.n * Math.log(Math.max(fit.sse / ne.n, 1e-12)) + 2 * (k + 1);
      if (!best || aic < best.aic) best = { p, q, beta: fit.beta, aic };
    }
  }
  if (!best) return undefined;
  const phi = best.beta.slice(c0, c0 + best.p);
  const theta = best.beta.slice(c0 + best.p, c0 + best.p + best.q);
  const mean = withMean ? best.beta[0] / (1 - phi.reduce((u, v) => u + v, 0)) : 0;
  const { e, sse, n } = cssResiduals(x, mean, phi, theta);
  return { p: best.p, q: best.q, mean, phi, theta, sigma2: sse / n, aic: best.aic, residuals: e };
}

/** insideUnitRegion of the `len` coefficients beta[from..], times `sign` (-1 for MA), without copying them. */
function inside(beta: Float64Array, from: number, len: number, sign: 1 | -1): boolean {
  if (len === 0) return true;
  if (len === 1) return Math.abs(sign * beta[from]) < 0.999;
  const u = sign * beta[from];
  const v = sign * beta[from + 1];
  return Math.abs(v) < 0.999 && u + v < 0.999 && v - u < 0.999;
}

interface NormalEquations {
  xtx: Float64Array;
  xty: Float64Array;
  yty: number;
  /** Columns and rows. */
  K: number;
  n: number;
}

/**
 * X'X, X'y, y'y of the full candidate design (1, x_{t-1..P}, e_{t-1..Q}) over t >= start. Each entry
 * is its own pass over t (sum_t col_i(t) col_j(t), t ascending: the same sum as accumulating row by
 * row), which keeps the running sum in a register instead of a read-modify-write per row and entry.
 */
function normalEquations(x: Float64Array, e: Float64Array | undefined, withMean: boolean, P: number, Q: number, start: number): NormalEquations | undefined {
  const c0 = withMean ? 1 : 0;
  const K = c0 + P + Q;
  const n = x.length - start;
  if (n < 2 * K + 4) return undefined;
  // column c at row t is src[c][t - lag[c]]; the constant column reads ones (1 * v is v)
  const src: Float64Array[] = [];
  const lag: number[] = [];
  if (withMean) [src[0], lag[0]] = [ones(x.length), 0];
  for (let i = 1; i <= P; i++) [src[c0 + i - 1], lag[c0 + i - 1]] = [x, i];
  for (let j = 1; j <= Q; j++) [src[c0 + P + j - 1], lag[c0 + P + j - 1]] = [e!, j];
  const xtx = new Float64Array(K * K);
  const xty = new Float64Array(K);
  for (let i = 0; i < K; i++) {
    xty[i] = laggedDot(src[i], lag[i], x, 0, start, x.length);
    for (let j = i; j < K; j++) xtx[i * K + j] = laggedDot(src[i], lag[i], src[j], lag[j], start, x.length);
  }
  const yty = laggedDot(x, 0, x, 0, start, x.length);
  for (let i = 0; i < K; i++) for (let j = 0; j < i; j++) xtx[i * K + j] = xtx[j * K + i];
  return { xtx, xty, yty, K, n };
}

/** sum over t in [from, to) of a[t - la] * b[t - lb], t ascending. */
function laggedDot(a: Float64Array, la: number, b: Float64Array, lb: number, from: number, to: number): number {
  let s = 0;
  for (let t = from; t < to; t++) s += a[t - la] * b[t - lb];
  return s;
}

let onesCache = new Float64Array(0);
function ones(n: number): Float64Array {
  if (onesCache.length < n) onesCache = new Float64Array(Math.max(n, 2 * onesCache.length)).fill(1);
  return onesCache;
}

/** OLS on the first k of `cols`; SSE = y'y - b'X'y. `a` and `b` are scratch space of at least k x k and k. */
function subSolve(ne: NormalEquations, cols: Int32Array, k: number, a: Float64Array, b: Float64Array): { beta: Float64Array; sse: number } | undefined {
  if (k === 0) return { beta: new Float64Array(0), sse: ne.yty };
  for (let i = 0; i < k; i++) {
    const ci = cols[i];
    b[i] = ne.xty[ci];
    for (let j = 0; j < k; j++) a[i * k + j] = ne.xtx[ci * ne.K + cols[j]] + (i === j ? 1e-9 * (1 + ne.xtx[ci * ne.K + ci]) : 0);
  }
  const beta = solve(a, b, k);
  if (!beta) return undefined;
  let fitted = 0;
  for (let i = 0; i < k; i++) fitted += beta[i] * ne.xty[cols[i]];
  return { beta, sse: ne.yty - fitted };
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
    const y = tail(history, this.opts.window ?? 112);
    const fit = y.length >= 14 ? autoArima(y, this.opts) : undefined;
    if (!fit) return new Float64Array(h).fill(y.reduce((a, b) => a + b, 0) / Math.max(1, y.length));
    return arimaForecast(y, fit, h, this.opts.period ?? 7);
  }
}
