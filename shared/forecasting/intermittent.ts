/**
 * Intermittent-demand methods.
 * - Croston (1972): smooth the non-zero demand sizes z and the intervals p between them, both with
 *   alpha, updating only in periods with demand; forecast z / p.
 * - SBA (Syntetos & Boylan 2005): Croston times (1 - alpha/2), which removes Croston's positive bias.
 * - TSB (Teunter, Syntetos & Babai 2011): smooth the demand probability every period (beta) and the
 *   size on demand (alpha); forecast prob * z. Unlike Croston it decays towards 0 when sales stop.
 * Initialisation: z = first non-zero demand, p = its 1-based position (Croston), prob = 1/p (TSB).
 * Parameters per series from a small grid by the in-sample one-step SSE.
 */
import type { PointForecaster } from './calibrated';
import { tail } from './series';

/** The grids; bestCroston and bestTsb hold their values in registers, so they are fixed at 4 and 3 x 3. */
export const CROSTON_ALPHAS: readonly [number, number, number, number] = [0.05, 0.1, 0.2, 0.3];
export const TSB_ALPHAS: readonly [number, number, number] = [0.05, 0.1, 0.25];
export const TSB_BETAS: readonly [number, number, number] = [0.02, 0.05, 0.15];

export interface CrostonState {
  size: number;
  interval: number;
  /** In-sample one-step SSE from the first demand on. */
  sse: number;
}

function firstDemand(y: ArrayLike<number>): number {
  for (let i = 0; i < y.length; i++) if (y[i] > 0) return i;
  return -1;
}

/** Croston's recursions; undefined if the series never has demand. */
export function croston(y: ArrayLike<number>, alpha: number): CrostonState | undefined {
  const f = firstDemand(y);
  if (f < 0) return undefined;
  let size = y[f];
  let interval = f + 1;
  let since = 0; // periods since the last demand
  let sse = 0;
  for (let t = f + 1; t < y.length; t++) {
    const e = y[t] - size / interval;
    sse += e * e;
    since++;
    if (y[t] > 0) {
      size += alpha * (y[t] - size);
      interval += alpha * (since - interval);
      since = 0;
    }
  }
  return { size, interval, sse };
}

export interface TsbState {
  size: number;
  prob: number;
  sse: number;
}

export function tsb(y: ArrayLike<number>, alpha: number, beta: number): TsbState | undefined {
  const f = firstDemand(y);
  if (f < 0) return undefined;
  let size = y[f];
  let prob = 1 / (f + 1);
  let sse = 0;
  for (let t = f + 1; t < y.length; t++) {
    const e = y[t] - prob * size;
    sse += e * e;
    const d = y[t] > 0 ? 1 : 0;
    prob += beta * (d - prob);
    if (d) size += alpha * (y[t] - size);
  }
  return { size, prob, sse };
}

const [CA0, CA1, CA2, CA3] = CROSTON_ALPHAS;
const [TA0, TA1, TA2] = TSB_ALPHAS;
const [TB0, TB1, TB2] = TSB_BETAS;

/**
 * croston() for each alpha of CROSTON_ALPHAS in one pass over y, keeping the first alpha of least
 * SSE. Why: the worker fits every product on every pass, and the demand test (a branch the CPU
 * mispredicts on intermittent series) is then taken once per period instead of once per alpha, the
 * four recursions in registers. Each alpha's recursion and SSE are computed in croston()'s order, so
 * the result is bit for bit the same as calling it per alpha (a unit test checks it).
 */
export function bestCroston(y: ArrayLike<number>): { alpha: number; state: CrostonState } | undefined {
  const f = firstDemand(y);
  if (f < 0) return undefined;
  let [s0, s1, s2, s3] = [y[f], y[f], y[f], y[f]];
  let [n0, n1, n2, n3] = [f + 1, f + 1, f + 1, f + 1];
  let [e0, e1, e2, e3] = [0, 0, 0, 0];
  let since = 0;
  for (let t = f + 1; t < y.length; t++) {
    const v = y[t];
    const d0 = v - s0 / n0, d1 = v - s1 / n1, d2 = v - s2 / n2, d3 = v - s3 / n3;
    e0 += d0 * d0; e1 += d1 * d1; e2 += d2 * d2; e3 += d3 * d3;
    since++;
    if (v > 0) {
      s0 += CA0 * (v - s0); s1 += CA1 * (v - s1); s2 += CA2 * (v - s2); s3 += CA3 * (v - s3);
      n0 += CA0 * (since - n0); n1 += CA1 * (since - n1); n2 += CA2 * (since - n2); n3 += CA3 * (since - n3);
      since = 0;
    }
  }
  const sse = [e0, e1, e2, e3];
  let b = 0;
  for (let j = 1; j < 4; j++) if (sse[j] < sse[b]) b = j;
  return { alpha: CROSTON_ALPHAS[b], state: { size: [s0, s1, s2, s3][b], interval: [n0, n1, n2, n3][b], sse: sse[b] } };
}

/**
 * tsb() for each (alpha, beta) of TSB_ALPHAS x TSB_BETAS in one pass: the probability's recursion
 * depends on beta alone and the size's on alpha alone, so 3 + 3 recursions (in registers) serve the 9
 * pairs, and the size's update is multiplied by the demand flag instead of branched on (x 1 and + 0
 * change no bits). Each pair's SSE is summed in tsb()'s order; the first pair of least SSE,
 * alpha-major as loops over tsb() would visit them, so bit for bit what tsb() gives (a unit test).
 */
export function bestTsb(y: ArrayLike<number>): { alpha: number; beta: number; state: TsbState } | undefined {
  const f = firstDemand(y);
  if (f < 0) return undefined;
  let [z0, z1, z2] = [y[f], y[f], y[f]];
  let [p0, p1, p2] = [1 / (f + 1), 1 / (f + 1), 1 / (f + 1)];
  let [e0, e1, e2, e3, e4, e5, e6, e7, e8] = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  for (let t = f + 1; t < y.length; t++) {
    const v = y[t];
    const r0 = v - p0 * z0, r1 = v - p1 * z0, r2 = v - p2 * z0;
    const r3 = v - p0 * z1, r4 = v - p1 * z1, r5 = v - p2 * z1;
    const r6 = v - p0 * z2, r7 = v - p1 * z2, r8 = v - p2 * z2;
    e0 += r0 * r0; e1 += r1 * r1; e2 += r2 * r2; e3 += r3 * r3; e4 += r4 * r4; e5 += r5 * r5; e6 += r6 * r6; e7 += r7 * r7; e8 += r8 * r8;
    const d = v > 0 ? 1 : 0;
    p0 += TB0 * (d - p0); p1 += TB1 * (d - p1); p2 += TB2 * (d - p2);
    z0 += d * (TA0 * (v - z0)); z1 += d * (TA1 * (v - z1)); z2 += d * (TA2 * (v - z2));
  }
  const e = [e0, e1, e2, e3, e4, e5, e6, e7, e8];
  let best = 0;
  for (let j = 1; j < 9; j++) if (e[j] < e[best]) best = j;
  const [a, b] = [Math.floor(best / 3), best % 3];
  return { alpha: TSB_ALPHAS[a], beta: TSB_BETAS[b], state: { size: [z0, z1, z2][a], prob: [p0, p1, p2][b], sse: e[best] } };
}

/**
 * Croston and SBA fit the same grid to the same series (SBA only scales the forecast), and an
 * ensemble asks both for each history array: the fit is kept per array (and window), so the second
 * costs nothing. A WeakMap, so it goes with the batch; like the shape cache of calibrated.ts it
 * takes a history array as never changed in place.
 */
const crostonFits = new WeakMap<Float64Array, Map<number, ReturnType<typeof bestCroston>>>();

function sharedCroston(history: Float64Array, window: number): ReturnType<typeof bestCroston> {
  let byWindow = crostonFits.get(history);
  if (!byWindow) crostonFits.set(history, (byWindow = new Map()));
  if (!byWindow.has(window)) byWindow.set(window, bestCroston(tail(history, window)));
  return byWindow.get(window);
}

export class CrostonForecaster implements PointForecaster {
  readonly name: string;
  /** variant 'sba' applies the Syntetos-Boylan debiasing factor. */
  constructor(private readonly variant: 'croston' | 'sba' = 'croston', private readonly window = 182) {
    this.name = variant;
  }

  point(history: Float64Array, h: number): Float64Array {
    const fit = sharedCroston(history, this.window);
    if (!fit) return new Float64Array(h);
    const factor = this.variant === 'sba' ? 1 - fit.alpha / 2 : 1;
    return new Float64Array(h).fill((factor * fit.state.size) / fit.state.interval);
  }
}

export class TsbForecaster implements PointForecaster {
  readonly name = 'tsb';
  constructor(private readonly window = 182) {}

  point(history: Float64Array, h: number): Float64Array {
    const best = bestTsb(tail(history, this.window));
    return best ? new Float64Array(h).fill(best.state.prob * best.state.size) : new Float64Array(h);
  }
}
