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
  const cands = candidates(trends, grid);
  const seasons = [new Float64Array(m), new Float64Array(m)];
  const run = new Float64Array(6); // sse, level, slope of each candidate of the last etsRun2
  const bestSeason = new Float64Array(m);
  let best: EtsFit | undefined;
  // two candidates per pass over y: independent recursions the CPU overlaps (a lone last one runs with a copy of itself)
  for (let c = 0; c < cands.length; c += 2) {
    const d = Math.min(c + 1, cands.length - 1);
    etsRun2(y, level0, slope0, s0, cands[c], cands[d], seasons, run);
    for (let lane = 0; lane < (d > c ? 2 : 1); lane++) {
      const p = cands[c + lane];
      const o = 3 * lane;
      const aic = n * Math.log(Math.max(run[o], 1e-12) / n) + 2 * paramCount(p.trend, m);
      if (best && !(aic < best.aic)) continue;
      bestSeason.set(seasons[lane]);
      best = { params: { ...p }, level: run[o + 1], slope: p.trend === 'N' ? 0 : run[o + 2], season: bestSeason, sse: run[o], aic };
    }
  }
  const rotated = new Float64Array(m);
  for (let i = 0; i < m; i++) rotated[i] = bestSeason[(n + i) % m];
  return { ...best!, season: rotated };
}

const NO_BETA = [0];

/** The candidates of a grid in search order (trend, alpha, gamma, beta), built once per grid and trend list. */
const candidateCache = new WeakMap<object, Map<string, EtsParams[]>>();
function candidates(trends: TrendType[], grid: typeof ETS_GRID): EtsParams[] {
  let byTrends = candidateCache.get(grid);
  if (!byTrends) candidateCache.set(grid, (byTrends = new Map()));
  const key = trends.join();
  let list = byTrends.get(key);
  if (!list) {
    list = [];
    for (const trend of trends) {
      for (const alpha of grid.alpha) {
        for (const gamma of grid.gamma) for (const beta of trend === 'N' ? NO_BETA : grid.beta) list.push({ trend, alpha, beta, gamma, phi: grid.phi });
      }
    }
    byTrends.set(key, list);
  }
  return list;
}

/** The damping of a candidate's trend term: 0 without trend (so the term is exactly 0, as in etsFilter), 1 undamped. */
const dampingOf = (p: EtsParams) => (p.trend === 'Ad' ? p.phi : p.trend === 'A' ? 1 : 0);

/**
 * Two candidates' recursions over y from the initial states, etsFilter's arithmetic without its
 * per-step branches, modulo and allocations (it runs 6 times per product); seasons into s[0] and
 * s[1], out = [sse, level, slope] of each.
 */
function etsRun2(y: ArrayLike<number>, level0: number, slope0: number, s0: Float64Array, p: EtsParams, q: EtsParams, s: Float64Array[], out: Float64Array): void {
  const s1 = s[0];
  const s2 = s[1];
  s1.set(s0);
  s2.set(s0);
  const m = s0.length;
  const a1 = p.alpha;
  const a2 = q.alpha;
  const g1 = p.gamma;
  const g2 = q.gamma;
  const f1 = dampingOf(p);
  const f2 = dampingOf(q);
  const be1 = p.trend === 'N' ? 0 : p.beta;
  const be2 = q.trend === 'N' ? 0 : q.beta;
  let l1 = level0;
  let l2 = level0;
  let b1 = p.trend === 'N' ? 0 : slope0;
  let b2 = q.trend === 'N' ? 0 : slope0;
  let sse1 = 0;
  let sse2 = 0;
  for (let t = 0, k = 0; t < y.length; t++) {
    const yt = y[t];
    const d1 = f1 * b1;
    const d2 = f2 * b2;
    const e1 = yt - (l1 + d1 + s1[k]);
    const e2 = yt - (l2 + d2 + s2[k]);
    sse1 += e1 * e1;
    sse2 += e2 * e2;
    l1 = l1 + d1 + a1 * e1;
    l2 = l2 + d2 + a2 * e2;
    b1 = d1 + be1 * e1;
    b2 = d2 + be2 * e2;
    s1[k] += g1 * e1;
    s2[k] += g2 * e2;
    if (++k === m) k = 0;
  }
  out[0] = sse1;
  out[1] = l1;
  out[2] = b1;
  out[3] = sse2;
  out[4] = l2;
  out[5] = b2;
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
