/**
 * ETS: Holt-Winters with additive weekly seasonality (period 7) and no, additive or damped trend,
 * i.e. ETS(A,N,A), ETS(A,A,A), ETS(A,Ad,A) in Hyndman's taxonomy (error form of the recursions):
 *   e_t = y_t - (l + phi b + s_{t-m})
 *   l'  = l + phi b + alpha e
 *   b'  = phi b + beta e            (beta here is alpha*beta* of the textbook form)
 *   s_t = s_{t-m} + gamma e
 * Per series: each trend type is fitted on a small grid of (alpha, beta, gamma) by the in-sample SSE,
 * and the trend type is chosen by AIC = n log(SSE/n) + 2k (k = smoothing parameters + initial states).
 * Initial states are classical: level = mean of the first week, trend from the first two weeks,
 * seasonal indices = first week minus its mean.
 */
import type { PointForecaster } from './calibrated';
import { tail } from './series';

export type TrendType = 'N' | 'A' | 'Ad';

export interface EtsParams {
  trend: TrendType;
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
}

export interface EtsFit {
  params: EtsParams;
  level: number;
  slope: number;
  /** Seasonal indices of the next m steps (season[0] applies to step 1). */
  season: Float64Array;
  sse: number;
  aic: number;
}

export const ETS_GRID = {
  alpha: [0.05, 0.2],
  beta: [0.01],
  gamma: [0.02, 0.1],
  phi: 0.9,
};

/** Runs the recursions over y; returns the SSE and final states (season rotated to start at step 1). */
export function etsFilter(y: ArrayLike<number>, p: EtsParams, m = 7): Omit<EtsFit, 'aic' | 'params'> {
  const n = y.length;
  const s = new Float64Array(m);
  const w1 = Math.min(m, n);
  let level = 0;
  for (let i = 0; i < w1; i++) level += y[i] / w1;
  let slope = 0;
  if (p.trend !== 'N' && n >= 2 * m) {
    let w2 = 0;
    for (let i = m; i < 2 * m; i++) w2 += y[i] / m;
    slope = (w2 - level) / m;
  }
  for (let i = 0; i < w1; i++) s[i] = y[i] - level;
  const phi = p.trend === 'Ad' ? p.phi : 1;
  let sse = 0;
  for (let t = 0; t < n; t++) {
    const k = t % m;
    const b = p.trend === 'N' ? 0 : phi * slope;
    const e = y[t] - (level + b + s[k]);
    sse += e * e;
    level = level + b + p.alpha * e;
    if (p.trend !== 'N') slope = b + p.beta * e;
    s[k] += p.gamma * e;
  }
  const season = new Float64Array(m);
  for (let i = 0; i < m; i++) season[i] = s[(n + i) % m];
  return { level, slope: p.trend === 'N' ? 0 : slope, season, sse };
}

export function etsForecast(fit: EtsFit, h: number): Float64Array {
  const out = new Float64Array(h);
  const phi = fit.params.trend === 'Ad' ? fit.params.phi : 1;
  let damp = 0;
  let pw = 1;
  for (let i = 0; i < h; i++) {
    pw *= phi;
    damp += pw;
    const b = fit.params.trend === 'N' ? 0 : damp * fit.slope;
    out[i] = fit.level + b + fit.season[i % fit.season.length];
  }
  return out;
}

/** Number of estimated quantities, for the AIC: smoothing parameters, phi, initial level/trend/seasons. */
function paramCount(trend: TrendType, m: number): number {
  const smoothing = trend === 'N' ? 2 : 3;
  const initial = 1 + (trend === 'N' ? 0 : 1) + (m - 1);
  return smoothing + initial + (trend === 'Ad' ? 1 : 0);
}

/**
 * The grid of every trend type by AIC, the first on ties. Each candidate runs etsRun, etsFilter's
 * arithmetic without its per-step branches, modulo and allocations (a no-trend candidate runs with
 * damping 0 and beta 0, so its trend term is exactly 0), so the chosen fit is the same.
 */
export function fitEts(y: ArrayLike<number>, trends: TrendType[] = ['N', 'A', 'Ad'], m = 7, grid = ETS_GRID): EtsFit {
  const n = y.length;
  const w1 = Math.min(m, n);
  let level0 = 0;
  for (let i = 0; i < w1; i++) level0 += y[i] / w1;
  let slope0 = 0;
  if (n >= 2 * m) {
    let w2 = 0;
    for (let i = m; i < 2 * m; i++) w2 += y[i] / m;
    slope0 = (w2 - level0) / m;
  }
  const s0 = new Float64Array(m);
  for (let i = 0; i < w1; i++) s0[i] = y[i] - level0;
  const season = new Float64Array(m);
  const run = new Float64Array(3); // sse, level, slope of the last etsRun
  const bestSeason = new Float64Array(m);
  let best: EtsFit | undefined;
  for (const trend of trends) {
    const trended = trend !== 'N';
    const phi = trend === 'Ad' ? grid.phi : trended ? 1 : 0;
    for (const alpha of grid.alpha) {
      for (const gamma of grid.gamma) {
        for (const beta of trended ? grid.beta : NO_BETA) {
          etsRun(y, level0, trended ? slope0 : 0, s0, season, alpha, beta, gamma, phi, m, run);
          const aic = n * Math.log(Math.max(run[0], 1e-12) / n) + 2 * paramCount(trend, m);
          if (best && !(aic < best.aic)) continue;
          bestSeason.set(season);
          best = { params: { trend, alpha, beta, gamma, phi: grid.phi }, level: run[1], slope: trended ? run[2] : 0, season, sse: run[0], aic };
        }
      }
    }
  }
  const rotated = new Float64Array(m);
  for (let i = 0; i < m; i++) rotated[i] = bestSeason[(n + i) % m];
  return { ...best!, season: rotated };
}

const NO_BETA = [0];

/**
 * One candidate's recursions over y from the initial states, into `season` and out = [sse, level,
 * slope]: no allocation, as it runs 12 times per product.
 */
function etsRun(y: ArrayLike<number>, level0: number, slope0: number, s0: Float64Array, s: Float64Array, alpha: number, beta: number, gamma: number, phi: number, m: number, out: Float64Array): void {
  s.set(s0);
  let level = level0;
  let slope = slope0;
  let sse = 0;
  for (let t = 0, k = 0; t < y.length; t++) {
    const b = phi * slope;
    const e = y[t] - (level + b + s[k]);
    sse += e * e;
    level = level + b + alpha * e;
    slope = b + beta * e;
    s[k] += gamma * e;
    if (++k === m) k = 0;
  }
  out[0] = sse;
  out[1] = level;
  out[2] = slope;
}

export class EtsForecaster implements PointForecaster {
  readonly name = 'ets';
  constructor(private readonly opts: { window?: number; trends?: TrendType[] } = {}) {}

  point(history: Float64Array, h: number): Float64Array {
    const y = tail(history, this.opts.window ?? 112);
    if (y.length < 7) return new Float64Array(h).fill(y.reduce((a, b) => a + b, 0) / Math.max(1, y.length));
    return etsForecast(fitEts(y, this.opts.trends), h);
  }
}
