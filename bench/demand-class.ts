/**
 * Demand classes for bench/ensemble-schemes.ts (weights per class were tried and scored worse than
 * one set of weights, so this lives with the experiments, not in the ensemble).
 */
import { closedWeekdays } from '../shared/forecasting/calibration';
import type { SeriesInput } from '../shared/forecasting/model';
import { stepWeekday } from '../shared/forecasting/series';

/**
 * Class of a product's recent demand (last `window` open days), after Syntetos-Boylan-Croston: by
 * the average interval between demands (ADI, published cut-off 1.32) and the squared coefficient of
 * variation of the non-zero sizes (CV2, cut-off 0.49), not fitted here. SBC's "smooth" and
 * "erratic" (ADI < 1.32) are one class: smooth holds ~10 products here, too few to weight alone.
 */
export const DEMAND_CLASSES = ['frequent', 'intermittent', 'lumpy', 'idle'] as const;

export function demandClass(history: ArrayLike<number>, open: (t: number) => boolean, window = 112): number {
  let days = 0;
  let n = 0;
  let sum = 0;
  let sq = 0;
  for (let t = history.length - 1; t >= 0 && days < window; t--) {
    if (!open(t)) continue;
    days++;
    const v = history[t];
    if (v > 0) {
      n++;
      sum += v;
      sq += v * v;
    }
  }
  if (n === 0) return 3;
  if (days / n < 1.32) return 0;
  const mean = sum / n;
  return sq / n / (mean * mean) - 1 < 0.49 ? 1 : 2;
}

/** demandClass over a population's open weekdays (closed ones, like the shop's Saturdays, skipped). */
export function classifier(population: SeriesInput[]): (s: SeriesInput) => number {
  const closed = closedWeekdays(population);
  return (s) => {
    const wd0 = stepWeekday(s, 1 - s.history.length);
    return demandClass(s.history, (t) => wd0 < 0 || !closed[(wd0 + t) % 7]);
  };
}
