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

export const CROSTON_ALPHAS = [0.05, 0.1, 0.2, 0.3];
export const TSB_ALPHAS = [0.05, 0.1, 0.25];
export const TSB_BETAS = [0.02, 0.05, 0.15];

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

function bestCroston(y: ArrayLike<number>): { alpha: number; state: CrostonState } | undefined {
  let best: { alpha: number; state: CrostonState } | undefined;
  for (const alpha of CROSTON_ALPHAS) {
    const state = croston(y, alpha);
    if (!state) return undefined;
    if (!best || state.sse < best.state.sse) best = { alpha, state };
  }
  return best;
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
    const y = tail(history, this.window);
    let best: TsbState | undefined;
    for (const a of TSB_ALPHAS) {
      for (const b of TSB_BETAS) {
        const s = tsb(y, a, b);
        if (!s) return new Float64Array(h);
        if (!best || s.sse < best.sse) best = s;
      }
    }
    return new Float64Array(h).fill(best!.prob * best!.size);
  }
}
