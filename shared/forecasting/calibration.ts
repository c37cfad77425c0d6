/**
 * Quantiles for point-forecasting models, learned on holdouts inside the training data.
 *
 * Demand here is intermittent and lumpy, so Gaussian intervals around the mean are poor. Each model's
 * base quantile is its mean forecast m times the product's own demand shape S_q (quantile / mean of
 * its recent days on open weekdays, see demandShape): b_q = m * S_q. A global multiplier per target weekday then
 * corrects it, p_q = c_q(weekday) * b_q, with c_q minimising the pinball loss on the holdouts (the
 * 3 x 28 days before the fit origin, each forecast from the data before it). Because
 * pinball_q(y, c*b) = b * pinball_q(y/b, c) for b > 0, the optimal c_q is the q-quantile of the
 * ratios y/b weighted by b: closed form, one sort per weekday, and exactly the WQL numerator.
 * The weekday term gives models without a weekly component the shop's weekly profile (closed on
 * Saturdays). Multipliers are shared by all products; nothing is fitted per product. Finer bins (by
 * selling-day share and recency) were tried and scored no better on the development file.
 */
import type { SeriesInput } from './model';
import { stepWeekday } from './series';

export const CAL_QUANTILES = [0.1, 0.5, 0.9] as const;
/** One bin per weekday of the target day, plus one for series whose buckets are not days. */
export const BIN_COUNT = 8;
const MIN_SAMPLES = 150;

export function binOf(weekday: number): number {
  return weekday < 0 ? 7 : weekday;
}

/** Windows of the demand shape: 4, 8 and 16 weeks. */
export const SHAPE_WINDOWS = [28, 56, 112];

/**
 * The product's own demand shape: quantiles of its recent daily demand over their mean, on open
 * weekdays, averaged over the last 4, 8 and 16 weeks (an empirical p90 from ~24 or ~48 open days is
 * noisy; averaging the three estimates smooths it and scored better than any one window). A window
 * without sales takes the shape of the whole history. Scaled by a model's mean forecast it gives
 * that model's base quantiles.
 */
export function demandShape(s: SeriesInput, closed: boolean[], windows: number[] = SHAPE_WINDOWS): [number, number, number] {
  const out: [number, number, number] = [0, 0, 0];
  const h = s.history;
  // Weekday of the first day, then step it: stepWeekday per element was the hot spot of forecasting.
  const wd0 = stepWeekday(s, 1 - h.length);
  const pool = new Float64Array(h.length);
  let whole: [number, number, number] | undefined;
  for (const w of windows) {
    let part = windowShape(h, Math.max(0, h.length - w), wd0, closed, pool);
    if (!part) part = whole ??= windowShape(h, 0, wd0, closed, pool) ?? [1, 1, 1];
    for (let k = 0; k < 3; k++) out[k] += part[k] / windows.length;
  }
  return out;
}

/**
 * Quantiles over mean of h[from..] on open weekdays; undefined when nothing sold there. Most days
 * sell nothing, so only the non-zero values are sorted and the zeros are counted: the sorted pool
 * is the negatives, then `zeros` zeros, then the positives, and quantiles read it through `at`.
 */
function windowShape(h: ArrayLike<number>, from: number, wd0: number, closed: boolean[], buf: Float64Array): [number, number, number] | undefined {
  let n = 0;
  let zeros = 0;
  let sum = 0;
  let wd = wd0 < 0 ? -1 : (wd0 + from) % 7;
  for (let t = from; t < h.length; t++) {
    if (wd < 0 || !closed[wd]) {
      const v = h[t];
      if (v === 0) zeros++;
      else buf[n++] = v;
      sum += v;
    }
    if (wd >= 0) wd = wd === 6 ? 0 : wd + 1;
  }
  if (!(sum > 0)) return undefined;
  const nz = buf.subarray(0, n).sort(); // typed-array sort: numeric, no comparator
  let neg = 0;
  while (neg < n && nz[neg] < 0) neg++;
  const at = (i: number) => (i < neg ? nz[i] : i < neg + zeros ? 0 : nz[i - zeros]);
  const total = n + zeros;
  const mean = sum / total;
  return [quantileAt(at, total, 0.1) / mean, quantileAt(at, total, 0.5) / mean, quantileAt(at, total, 0.9) / mean];
}

/** Linearly interpolated quantile q of a sorted pool of `length` values read through `at`. */
function quantileAt(at: (i: number) => number, length: number, q: number): number {
  const x = (length - 1) * q;
  const lo = Math.floor(x);
  const hi = Math.min(length - 1, lo + 1);
  return at(lo) + (x - lo) * (at(hi) - at(lo));
}

/** Weekdays on which (almost) nothing sells across all series: excluded from demand shapes. */
export function closedWeekdays(series: SeriesInput[], threshold = 0.005): boolean[] {
  const tot = new Float64Array(7);
  for (const s of series) {
    for (let t = 0; t < s.history.length; t++) {
      const wd = stepWeekday(s, t - s.history.length + 1);
      if (wd >= 0) tot[wd] += s.history[t];
    }
  }
  const all = tot.reduce((a, b) => a + b, 0);
  return Array.from(tot, (v) => all > 0 && v / all < threshold);
}

/** Collects (base quantiles, actual, bin) samples; `learn()` turns them into multipliers. */
export class CalibrationSamples {
  private base: number[][] = [[], [], []];
  private y: number[] = [];
  private bin: number[] = [];

  /** base[k][h]: the uncalibrated quantile k (p10, p50, p90) of step h+1. */
  add(base: ArrayLike<number>[], actual: ArrayLike<number>, truncated: SeriesInput): void {
    for (let h = 0; h < actual.length; h++) {
      for (let k = 0; k < 3; k++) this.base[k].push(Math.max(0, base[k][h]));
      this.y.push(actual[h]);
      this.bin.push(binOf(stepWeekday(truncated, h + 1)));
    }
  }

  get size(): number {
    return this.y.length;
  }

  learn(): QuantileCalibration {
    const table = new Float64Array(BIN_COUNT * 3);
    for (let k = 0; k < 3; k++) {
      const groups = new Map<number, number[]>();
      const all: number[] = [];
      const b = this.base[k];
      for (let i = 0; i < this.y.length; i++) {
        if (!(b[i] > 0)) continue;
        let list = groups.get(this.bin[i]);
        if (!list) groups.set(this.bin[i], (list = []));
        list.push(i);
        all.push(i);
      }
      // A bin with too few samples takes the pooled multiplier; with none at all, the shape stands as is.
      const pooled = this.multiplier(all, k) ?? 1;
      for (let bin = 0; bin < BIN_COUNT; bin++) table[bin * 3 + k] = this.multiplier(groups.get(bin) ?? [], k) ?? pooled;
    }
    return new QuantileCalibration(table);
  }

  /** Weighted q-quantile of y/base with weights base (the pinball-optimal multiplier); undefined if too few samples. */
  private multiplier(idx: number[], k: number): number | undefined {
    if (idx.length < MIN_SAMPLES) return undefined;
    const b = this.base[k];
    const pairs = idx.map((i) => ({ r: this.y[i] / b[i], w: b[i] })).sort((x, z) => x.r - z.r);
    const total = pairs.reduce((a, p) => a + p.w, 0);
    let acc = 0;
    for (const p of pairs) {
      acc += p.w;
      if (acc >= CAL_QUANTILES[k] * total) return p.r;
    }
    return pairs[pairs.length - 1].r;
  }
}

export class QuantileCalibration {
  /**
   * table: BIN_COUNT x 3 multipliers (p10, p50, p90), row-major; closed: weekdays left out of shapes.
   * Multipliers of one bin need not be ordered; forecasts are tidied (sorted) afterwards.
   */
  constructor(readonly table: Float64Array, readonly closed: boolean[] = new Array(7).fill(false)) {
    if (table.length !== BIN_COUNT * 3) throw new Error(`calibration table must have ${BIN_COUNT * 3} entries, got ${table.length}`);
  }

  at(bin: number, k: number): number {
    return this.table[bin * 3 + k];
  }

  toJSON(): { table: number[]; closed: boolean[] } {
    return { table: [...this.table], closed: this.closed };
  }

  static fromJSON(x: { table: number[]; closed: boolean[] }): QuantileCalibration {
    return new QuantileCalibration(Float64Array.from(x.table), x.closed);
  }
}
