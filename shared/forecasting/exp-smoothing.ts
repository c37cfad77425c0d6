/**
 * Simple exponential smoothing and Holt's linear method, on the very step function the streaming
 * state uses (shared/domain/smoothing.ts: holtStep; SES is beta = 0). Parameters are chosen per
 * series by the in-sample one-step-ahead SSE over a small grid: closed-form steps, no optimiser, so a
 * fit costs a few thousand multiply-adds.
 */
import { HoltState, SmoothingParams, holtFilter, holtForecast, holtStep } from '../domain/smoothing';
import type { PointForecaster } from './calibrated';
import { mean, tail } from './series';

export const SES_ALPHAS = [0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5];
export const HOLT_ALPHAS = [0.05, 0.1, 0.2, 0.4];
export const HOLT_BETAS = [0.01, 0.05, 0.15];

/**
 * Initial state: level = mean of the first week (the zero state of the streaming filter would pull the
 * level towards 0 for a long time at small alpha), trend 0.
 */
export function initialState(y: ArrayLike<number>): HoltState {
  return { level: mean(y, 0, Math.min(7, y.length)), trend: 0 };
}

/** In-sample one-step SSE of Holt's method with the given parameters, and the final state. */
export function holtSse(y: ArrayLike<number>, p: SmoothingParams, init: HoltState = initialState(y)): { sse: number; state: HoltState } {
  let s = init;
  let sse = 0;
  for (let t = 0; t < y.length; t++) {
    const e = y[t] - (s.level + s.trend);
    sse += e * e;
    s = holtStep(s, y[t], p);
  }
  return { sse, state: s };
}

/**
 * The same SSE as holtSse with holtStep's arithmetic written inline: the grid search runs it for every
 * parameter pair of every product, and the per-step state objects dominated its cost. A unit test
 * pins it to holtSse.
 */
export function holtSseInline(y: ArrayLike<number>, alpha: number, beta: number, level0: number, trend0: number): number {
  let level = level0;
  let trend = trend0;
  let sse = 0;
  for (let t = 0; t < y.length; t++) {
    const e = y[t] - (level + trend);
    sse += e * e;
    const next = alpha * y[t] + (1 - alpha) * (level + trend);
    trend = beta * (next - level) + (1 - beta) * trend;
    level = next;
  }
  return sse;
}

export interface HoltFit {
  params: SmoothingParams;
  state: HoltState;
  sse: number;
}

/**
 * Grid search over alpha x beta (beta = 0 only: SES), lowest in-sample SSE, the first pair on ties.
 * holtRun2 gives holtSseInline's SSE and holtFilter's final state in one pass without per-step
 * objects (the winner used to be re-run through holtFilter).
 */
export function fitHolt(y: ArrayLike<number>, alphas: number[], betas: number[]): HoltFit {
  const init = initialState(y);
  const run = new Float64Array(6);
  const B = betas.length;
  const C = alphas.length * B;
  let best: HoltFit | undefined;
  // two pairs (alpha-major order) per pass over y: independent recursions the CPU overlaps; a
  // lone last pair runs with a copy of itself (no closures here: tsx wraps each one it creates)
  for (let c = 0; c < C; c += 2) {
    const d = Math.min(c + 1, C - 1);
    holtRun2(y, alphas[Math.floor(c / B)], betas[c % B], alphas[Math.floor(d / B)], betas[d % B], init.level, init.trend, run);
    for (let lane = 0; lane < (d > c ? 2 : 1); lane++) {
      const o = 3 * lane;
      const k = c + lane;
      if (!best || run[o] < best.sse) best = { params: { alpha: alphas[Math.floor(k / B)], beta: betas[k % B] }, state: { level: run[o + 1], trend: run[o + 2] }, sse: run[o] };
    }
  }
  return best!;
}

/**
 * Holt's method for two parameter pairs at once: out = [SSE, final level, final trend] of the first,
 * then of the second, each with holtSseInline's arithmetic (which is holtStep's).
 */
export function holtRun2(y: ArrayLike<number>, a1: number, b1: number, a2: number, b2: number, level0: number, trend0: number, out: Float64Array): void {
  let l1 = level0;
  let t1 = trend0;
  let l2 = level0;
  let t2 = trend0;
  let sse1 = 0;
  let sse2 = 0;
  for (let t = 0; t < y.length; t++) {
    const yt = y[t];
    const e1 = yt - (l1 + t1);
    const e2 = yt - (l2 + t2);
    sse1 += e1 * e1;
    sse2 += e2 * e2;
    const n1 = a1 * yt + (1 - a1) * (l1 + t1);
    const n2 = a2 * yt + (1 - a2) * (l2 + t2);
    t1 = b1 * (n1 - l1) + (1 - b1) * t1;
    t2 = b2 * (n2 - l2) + (1 - b2) * t2;
    l1 = n1;
    l2 = n2;
  }
  out[0] = sse1;
  out[1] = l1;
  out[2] = t1;
  out[3] = sse2;
  out[4] = l2;
  out[5] = t2;
}

export interface SmoothingOptions {
  /** Days of history the fit looks at (recent behaviour matters most for 28-day forecasts). */
  window?: number;
}

export class SesForecaster implements PointForecaster {
  readonly name = 'ses';
  constructor(private readonly opts: SmoothingOptions = {}) {}

  point(history: Float64Array, h: number): Float64Array {
    const y = tail(history, this.opts.window ?? 182);
    const fit = fitHolt(y, SES_ALPHAS, [0]);
    return new Float64Array(h).fill(fit.state.level);
  }
}

export class HoltForecaster implements PointForecaster {
  readonly name = 'holt';
  constructor(private readonly opts: SmoothingOptions & { phi?: number } = {}) {}

  point(history: Float64Array, h: number): Float64Array {
    const y = tail(history, this.opts.window ?? 112);
    const fit = fitHolt(y, HOLT_ALPHAS, HOLT_BETAS);
    const out = new Float64Array(h);
    for (let i = 1; i <= h; i++) out[i - 1] = holtForecast(fit.state, i, this.opts.phi ?? 1);
    return out;
  }
}
