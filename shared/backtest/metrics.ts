/**
 * Accuracy measures of EVALUATION.md. Pure functions over plain arrays.
 * WQL = mean over q in {0.1,0.5,0.9} of 2 * sum pinball_q / sum y (GluonTS / Chronos weighted quantile loss).
 */
import type { QuantileForecast } from '../forecasting/model';

export const QUANTILES = [0.1, 0.5, 0.9] as const;

export function pinball(y: number, p: number, q: number): number {
  const d = y - p;
  return d >= 0 ? q * d : (q - 1) * d;
}

/**
 * Mean |y_t - y_{t-lag}| over the history (the MASE denominator with lag 7). NaN with fewer than two
 * differences: a single difference is no scale (and this is the convention that reproduces the
 * EVALUATION.md figures; with one difference allowed every MASE there moves in the 3rd decimal).
 */
export function maseScale(history: ArrayLike<number>, lag = 7): number {
  let s = 0;
  let n = 0;
  for (let t = lag; t < history.length; t++, n++) s += Math.abs(history[t] - history[t - lag]);
  return n >= 2 ? s / n : NaN;
}

/** Mean (y_t - y_{t-1})^2 over the history (the M5 RMSSE denominator). NaN if too short. */
export function rmsseScale(history: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let t = 1; t < history.length; t++, n++) s += (history[t] - history[t - 1]) ** 2;
  return n > 0 ? s / n : NaN;
}

export interface SegmentScores {
  wql: number;
  wape: number;
  /** NaN when not scored (new products) or no product has a usable denominator. */
  mase: number;
  rmsse: number;
  coverage: number;
  rmse: number;
  /** Products and points scored. */
  products: number;
  points: number;
}

export interface ScoredSeries {
  actual: ArrayLike<number>;
  forecast: QuantileForecast;
  /** MASE and RMSSE denominators from the product's history; omit for new products. */
  maseScale?: number;
  rmsseScale?: number;
}

/** Accumulates one segment of one window; `result()` gives the measures of EVALUATION.md. */
export class SegmentAccumulator {
  private sumY = 0;
  private pin = [0, 0, 0];
  private absErr = 0;
  private sqErr = 0;
  private covered = 0;
  private points = 0;
  private products = 0;
  private mase: number[] = [];
  private rmsse: number[] = [];

  add(s: ScoredSeries): void {
    const { actual: y, forecast: f } = s;
    if (f.p50.length < y.length) throw new Error(`forecast has ${f.p50.length} steps, actual has ${y.length}`);
    let abs = 0;
    let sq = 0;
    for (let t = 0; t < y.length; t++) {
      const v = y[t];
      this.sumY += v;
      this.pin[0] += pinball(v, f.p10[t], 0.1);
      this.pin[1] += pinball(v, f.p50[t], 0.5);
      this.pin[2] += pinball(v, f.p90[t], 0.9);
      abs += Math.abs(v - f.p50[t]);
      sq += (v - f.p50[t]) ** 2;
      if (f.p10[t] <= v && v <= f.p90[t]) this.covered++;
    }
    this.absErr += abs;
    this.sqErr += sq;
    this.points += y.length;
    this.products++;
    const n = y.length;
    if (s.maseScale !== undefined && s.maseScale > 0) this.mase.push(abs / n / s.maseScale);
    if (s.rmsseScale !== undefined && s.rmsseScale > 0) this.rmsse.push(Math.sqrt(sq / n / s.rmsseScale));
  }

  result(): SegmentScores {
    const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
    return {
      wql: (2 * (this.pin[0] + this.pin[1] + this.pin[2])) / 3 / this.sumY,
      wape: this.absErr / this.sumY,
      mase: mean(this.mase),
      rmsse: mean(this.rmsse),
      coverage: this.points ? this.covered / this.points : NaN,
      rmse: this.points ? Math.sqrt(this.sqErr / this.points) : NaN,
      products: this.products,
      points: this.points,
    };
  }
}

export function scoreSegment(series: Iterable<ScoredSeries>): SegmentScores {
  const acc = new SegmentAccumulator();
  for (const s of series) acc.add(s);
  return acc.result();
}

/** Mean of each measure over windows (EVALUATION.md: per window, then the mean over the four). */
export function meanScores(windows: SegmentScores[]): SegmentScores {
  const keys: (keyof SegmentScores)[] = ['wql', 'wape', 'mase', 'rmsse', 'coverage', 'rmse', 'products', 'points'];
  const out = {} as SegmentScores;
  for (const k of keys) out[k] = windows.reduce((a, w) => a + w[k], 0) / windows.length;
  return out;
}

/** WQL alone, for model selection and ensemble weights (no scales needed). */
export function wql(actuals: ArrayLike<number>[], forecasts: QuantileForecast[]): number {
  const acc = new SegmentAccumulator();
  for (let i = 0; i < actuals.length; i++) acc.add({ actual: actuals[i], forecast: forecasts[i] });
  return acc.result().wql;
}

/** Empirical quantile with linear interpolation between order statistics (numpy's default, type 7). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function quantiles(xs: ArrayLike<number>, qs: readonly number[] = QUANTILES): number[] {
  const s = Float64Array.from(xs).sort();
  return qs.map((q) => quantileSorted(s, q));
}
