/**
 * Weighting schemes tried by bench/ensemble-lab.ts. Each maps the members' validation forecasts,
 * the validation actuals and the products' RMSSE scales (from the cut history) to weights[k][m].
 */
import { chooseWeights } from '../shared/forecasting/ensemble';
import { Criterion, ValidationSet, flatten, greedySelect, pinballLoss, rmsseLoss, validationSet } from '../shared/forecasting/ensemble-weights';
import type { QuantileForecast } from '../shared/forecasting/model';

export type Weights = number[][] | { byClass: Map<number, number[][]> };
export type Scheme = (val: QuantileForecast[][], actual: number[][], scale: number[], cls: number[]) => Weights;
type Flat = (val: QuantileForecast[][], actual: number[][], scale: number[], share?: { total: number; n: number }) => number[][];

const KEYS = ['p10', 'p50', 'p90'] as const;
const Q = [0.1, 0.5, 0.9];

/** p50 loss: WQL's p50 term (2 * pinball / sum y) plus lambda * validation RMSSE. */
function mixedLoss(v: ValidationSet, lambda: number, share?: { total: number; n: number }): Criterion {
  const pin = pinballLoss(v, 0.5);
  const rm = rmsseLoss(v);
  // On a class alone, weigh its terms as in the whole set's loss: pinball over the total demand, RMSSE by the class's share of products.
  const total = share?.total ?? v.total;
  const f = share ? v.scale.filter((x) => x > 0).length / share.n : 1;
  return (p) => (2 * pin(p)) / total + (lambda ? lambda * f * rm(p) : 0);
}

/** Each demand class weighted alone (classes with fewer than `min` validation products take the global weights). */
function perClass(base: Flat, min = 30): Scheme {
  return (val, actual, scale, cls) => {
    const all = base(val, actual, scale);
    const total = actual.reduce((a, r) => a + r.reduce((x, y) => x + y, 0), 0);
    const n = scale.filter((x) => x > 0).length;
    const byClass = new Map<number, number[][]>();
    for (let c = 0; c < 4; c++) {
      const idx = cls.map((k, i) => (k === c ? i : -1)).filter((i) => i >= 0);
      byClass.set(c, idx.length < min ? all : base(val.map((m) => idx.map((i) => m[i])), idx.map((i) => actual[i]), idx.map((i) => scale[i]), { total, n }));
    }
    return { byClass };
  };
}

/** Pinball greedy for p10/p90; p50 by `p50loss` (lambda = 0: the current scheme). */
function scheme(lambda: number | 'rmsse'): Flat {
  return (val, actual, scale, share) => {
    const v = validationSet(actual, scale);
    return [0, 1, 2].map((k) => {
      const cands = flatten(val, KEYS[k], v.V);
      if (k !== 1) return greedySelect(cands, pinballLoss(v, Q[k]));
      return greedySelect(cands, lambda === 'rmsse' ? rmsseLoss(v) : mixedLoss(v, lambda, share));
    });
  };
}

/**
 * p50 chosen among every member's p50 AND p90 (stacking across quantiles), by mixedLoss. Rows of
 * length 3M weight (p10s, p50s, p90s) of the members.
 */
function cross(lambda: number): Flat {
  return (val, actual, scale, share) => {
    const v = validationSet(actual, scale);
    const M = val.length;
    const zero = new Array(M).fill(0);
    const p10 = greedySelect(flatten(val, 'p10', v.V), pinballLoss(v, 0.1));
    const p90 = greedySelect(flatten(val, 'p90', v.V), pinballLoss(v, 0.9));
    const w = greedySelect([...flatten(val, 'p50', v.V), ...flatten(val, 'p90', v.V)], mixedLoss(v, lambda, share));
    return [[...p10, ...zero, ...zero], [...zero, ...w], [...zero, ...zero, ...p90]];
  };
}

const global = (f: Flat): Scheme => (val, actual, scale) => f(val, actual, scale);

export const SCHEMES: Record<string, Scheme> = {
  'caruana pinball (current)': global(scheme(0)),
  'p50 by val RMSSE': global(scheme('rmsse')),
  'p50 val WQL+RMSSE (l=3)': global(scheme(3)),
  'Ensemble default (chooseWeights)': (val, actual, scale) => chooseWeights(val, validationSet(actual, scale)),
  'cross pool, +0': global(cross(0)),
  'cross pool, l=3': global(cross(3)),
  'class: p50 l=3': perClass(scheme(3)),
  'class: cross l=3': perClass(cross(3)),
};
