/**
 * Ensemble weights from a validation window: greedy forward selection with replacement (Caruana et
 * al., 2004) under a loss on the whole validation set. Forecasts and actuals are flat arrays of
 * `n` products x `V` steps (product i's steps at i*V .. i*V+V-1), so a round of selection allocates
 * nothing.
 */
import type { QuantileForecast } from './model';

/** Loss of a candidate combination (flat, n x V) on the validation window; lower is better. */
export type Criterion = (combined: Float64Array) => number;

export interface ValidationSet {
  /** Actual demand, flat n x V. */
  actual: Float64Array;
  V: number;
  /** Per product, mean squared day-to-day change of its history before the window (the RMSSE scale). */
  scale: Float64Array;
  /** Sum of actual demand (the WQL denominator). */
  total: number;
}

export function validationSet(actual: number[][], scale?: ArrayLike<number>): ValidationSet {
  const V = actual[0]?.length ?? 0;
  const flat = new Float64Array(actual.length * V);
  let total = 0;
  actual.forEach((row, i) => {
    if (row.length !== V) throw new Error(`validation actuals must all have ${V} steps, product ${i} has ${row.length}`);
    flat.set(row, i * V);
    for (const v of row) total += v;
  });
  return { actual: flat, V, scale: Float64Array.from(scale ?? new Array(actual.length).fill(NaN)), total };
}

/** Mean squared day-to-day change of a history (the M5 RMSSE scale); NaN with fewer than 2 values. */
export function rmsseScaleOf(history: ArrayLike<number>): number {
  let s = 0;
  for (let t = 1; t < history.length; t++) s += (history[t] - history[t - 1]) ** 2;
  return history.length > 1 ? s / (history.length - 1) : NaN;
}

/** One quantile of every member, flattened like ValidationSet.actual. */
export function flatten(preds: QuantileForecast[][], key: 'p10' | 'p50' | 'p90', V: number): Float64Array[] {
  return preds.map((member) => {
    const out = new Float64Array(member.length * V);
    member.forEach((f, i) => {
      for (let t = 0; t < V; t++) out[i * V + t] = f[key][t];
    });
    return out;
  });
}

/** Sum of pinball losses at level q. */
export function pinballLoss(v: ValidationSet, q: number): Criterion {
  const y = v.actual;
  return (p) => {
    let s = 0;
    for (let j = 0; j < y.length; j++) {
      const d = y[j] - p[j];
      s += d >= 0 ? q * d : (q - 1) * d;
    }
    return s;
  };
}

/** RMSSE (M5) of a point forecast: mean over products with a positive scale of sqrt(MSE / scale). */
export function rmsseLoss(v: ValidationSet): Criterion {
  const { actual: y, V, scale } = v;
  return (p) => {
    let s = 0;
    let n = 0;
    for (let i = 0; i < scale.length; i++) {
      if (!(scale[i] > 0)) continue;
      let sq = 0;
      for (let j = i * V; j < (i + 1) * V; j++) sq += (y[j] - p[j]) ** 2;
      s += Math.sqrt(sq / V / scale[i]);
      n++;
    }
    return n ? s / n : 0;
  };
}

/**
 * Greedy selection with replacement: start empty, `rounds` times add (again) the candidate whose
 * inclusion in the running average lowers the loss most; weights = selection counts / rounds.
 * A tie keeps the earlier candidate, so the result is deterministic.
 */
export function greedySelect(cands: Float64Array[], loss: Criterion, rounds = 20): number[] {
  if (cands.length === 0) throw new Error('greedySelect: no candidates');
  const n = cands[0].length;
  const counts = new Array(cands.length).fill(0);
  const sum = new Float64Array(n);
  const buf = new Float64Array(n);
  for (let r = 0; r < rounds; r++) {
    let best = 0;
    let bestLoss = Infinity;
    for (let m = 0; m < cands.length; m++) {
      const c = cands[m];
      for (let j = 0; j < n; j++) buf[j] = (sum[j] + c[j]) / (r + 1);
      const l = loss(buf);
      if (l < bestLoss - 1e-9) {
        bestLoss = l;
        best = m;
      }
    }
    counts[best]++;
    const c = cands[best];
    for (let j = 0; j < n; j++) sum[j] += c[j];
  }
  return counts.map((k) => k / rounds);
}
