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
function perClass(base: Flat, min = 30, p50Only = false): Scheme {
  return (val, actual, scale, cls) => {
    const all = base(val, actual, scale);
    const total = actual.reduce((a, r) => a + r.reduce((x, y) => x + y, 0), 0);
    const n = scale.filter((x) => x > 0).length;
    const byClass = new Map<number, number[][]>();
    for (let c = 0; c < 4; c++) {
      const idx = cls.map((k, i) => (k === c ? i : -1)).filter((i) => i >= 0);
      const own = idx.length < min ? all : base(val.map((m) => idx.map((i) => m[i])), idx.map((i) => actual[i]), idx.map((i) => scale[i]), { total, n });
      byClass.set(c, p50Only ? [all[0], own[1], all[2]] : own);
    }
    return { byClass };
  };
}

/** Plain squared error of p50 (no per-product scale: big sellers dominate). */
const mseLoss = (v: ValidationSet): Criterion => (p) => p.reduce((a, x, j) => a + (v.actual[j] - x) ** 2, 0);

/** Pinball greedy for p10/p90; p50 by mixedLoss(lambda) (0: pinball alone, the old scheme), RMSSE or MSE alone. */
function scheme(lambda: number | 'rmsse' | 'mse'): Flat {
  return (val, actual, scale, share) => {
    const v = validationSet(actual, scale);
    return [0, 1, 2].map((k) => {
      const cands = flatten(val, KEYS[k], v.V);
      if (k !== 1) return greedySelect(cands, pinballLoss(v, Q[k]));
      if (lambda === 'rmsse' || lambda === 'mse') return greedySelect(cands, lambda === 'rmsse' ? rmsseLoss(v) : mseLoss(v));
      return greedySelect(cands, mixedLoss(v, lambda, share));
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

/** Every quantile chosen among all members' p10, p50 and p90 (full stacking); p50 by mixedLoss(lambda). */
function fullPool(lambda: number): Flat {
  return (val, actual, scale, share) => {
    const v = validationSet(actual, scale);
    const pool = [...flatten(val, 'p10', v.V), ...flatten(val, 'p50', v.V), ...flatten(val, 'p90', v.V)];
    return [0, 1, 2].map((k) => greedySelect(pool, k === 1 ? mixedLoss(v, lambda, share) : pinballLoss(v, Q[k])));
  };
}

/** Pinball weights, then p50's row times one factor fitted on validation: pinball-optimal or by RMSSE (grid 0.70..1.60). */
function p50Factor(by: 'pinball' | 'rmsse'): Flat {
  return (val, actual, scale) => {
    const v = validationSet(actual, scale);
    const w = scheme(0)(val, actual, scale);
    const b = new Float64Array(v.actual.length);
    flatten(val, 'p50', v.V).forEach((c, m) => c.forEach((x, j) => (b[j] += w[1][m] * x)));
    let a = 1;
    if (by === 'pinball') {
      const pairs = [...b].map((x, j) => ({ r: v.actual[j] / x, w: x })).filter((p) => p.w > 0).sort((x, z) => x.r - z.r);
      const total = pairs.reduce((t, p) => t + p.w, 0);
      let acc = 0;
      a = pairs.find((p) => (acc += p.w) >= 0.5 * total)?.r ?? 1;
    } else {
      const rm = rmsseLoss(v);
      let best = Infinity;
      for (let f = 0.7; f <= 1.6001; f += 0.02) {
        const l = rm(b.map((x) => x * f));
        if (l < best) [best, a] = [l, f];
      }
    }
    return [w[0], w[1].map((x) => x * a), w[2]];
  };
}

const global = (f: Flat): Scheme => (val, actual, scale) => f(val, actual, scale);

export const SCHEMES: Record<string, Scheme> = {
  'p50 by pinball (old)': global(scheme(0)),
  'p50 by val MSE': global(scheme('mse')),
  'p50 by val RMSSE': global(scheme('rmsse')),
  'p50 by val WQL+RMSSE': global(scheme(3)),
  'Ensemble default': (val, actual, scale) => chooseWeights(val, validationSet(actual, scale)),
  'class, p50 only: WQL+RMSSE': perClass(scheme(3), 30, true),
  'class, all q: WQL+RMSSE': perClass(scheme(3)),
  'stack p50|p90 -> p50: pinball': global(cross(0)),
  'stack p50|p90 -> p50: +RMSSE': global(cross(3)),
  'stack all 27 -> each q: pinball': global(fullPool(0)),
  'p50 factor: pinball': global(p50Factor('pinball')),
  'p50 factor: RMSSE': global(p50Factor('rmsse')),
};
