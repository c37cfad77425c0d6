/**
 * Turns a point forecaster (one product's history in, mean forecast out) into a ForecastModel with
 * p10/p50/p90 from a QuantileCalibration learned on a holdout inside the training data.
 *
 * fit(train): each series is cut `holdout` days before its end, the point model forecasts those days
 * from the shorter history, and the multipliers are learned from the errors (calibration.ts).
 * forecast(batch) without a prior fit calibrates on the batch itself the same way, so a worker that
 * never calls fit still gets calibrated quantiles (at twice the cost).
 */
import { CalibrationSamples, QuantileCalibration, binOf, closedWeekdays, demandShape } from './calibration';
import { setOrdered, type FitOptions, type ForecastModel, type QuantileForecast, type SeriesInput } from './model';
import { stepWeekday, toFloat64 } from './series';

export interface PointForecaster {
  readonly name: string;
  /** Mean forecast of steps 1..h from a non-negative history (oldest first). May be negative: it is clamped. */
  point(history: Float64Array, h: number): Float64Array;
}

/** CalibratedModel.parts(): mean[i * horizon + h], shape[i * 3 + k] (p10, p50, p90) of product i. */
export interface CalibratedParts {
  cal: QuantileCalibration;
  mean: Float64Array;
  shape: Float64Array;
  horizon: number;
}

export interface CalibratedOptions {
  /** Days held out at the end of each training series to learn the quantile multipliers. */
  holdout?: number;
  /** Minimum history left after the cut for a series to contribute samples. */
  minHistory?: number;
  /** Consecutive holdout windows pooled (the last `holdout` buckets, the ones before, ...). */
  folds?: number;
}

export class CalibratedModel implements ForecastModel {
  readonly name: string;
  private calibration?: QuantileCalibration;
  private readonly holdout: number;
  private readonly minHistory: number;
  private readonly folds: number;

  constructor(readonly point: PointForecaster, opts: CalibratedOptions = {}) {
    this.name = point.name;
    this.holdout = opts.holdout ?? 28;
    this.minHistory = opts.minHistory ?? 14;
    this.folds = opts.folds ?? 3;
  }

  get fitted(): QuantileCalibration | undefined {
    return this.calibration;
  }

  setCalibration(c: QuantileCalibration): void {
    this.calibration = c;
  }

  async fit(train: SeriesInput[], _opts?: FitOptions): Promise<void> {
    this.calibration = this.learn(train);
  }

  learn(train: SeriesInput[]): QuantileCalibration {
    const samples = new CalibrationSamples();
    const H = this.holdout;
    const closed = closedWeekdays(train);
    for (const s of train) {
      const full = toFloat64(s.history);
      for (let k = 1; k <= this.folds; k++) {
        const end = full.length - (k - 1) * H;
        if (end - H < this.minHistory) break;
        const cut = { ...s, history: full.subarray(0, end - H) };
        samples.add(this.base(cut, H, closed), full.subarray(end - H, end), cut);
      }
    }
    const learned = samples.learn();
    return new QuantileCalibration(learned.table, closed);
  }

  /** Uncalibrated quantiles: the model's mean forecast times the product's own demand shape. */
  private base(s: SeriesInput, horizon: number, closed: boolean[]): Float64Array[] {
    const hist = toFloat64(s.history);
    const m = hist.length > 0 ? this.point.point(hist, horizon) : new Float64Array(horizon);
    const shape = cachedShape(s, hist, closed);
    return shape.map((sq) => m.map((v) => (v > 0 ? v * sq : 0)));
  }

  async forecast(batch: SeriesInput[], horizon: number): Promise<QuantileForecast[]> {
    const cal = this.calibration ?? this.learn(batch);
    return batch.map((s) => this.one(s, horizon, cal));
  }

  /**
   * What forecast() multiplies, without building its quantile arrays: per product the mean forecast
   * (clamped at 0) and the demand shape, and the calibration. An ensemble combines these itself
   * (fused.ts), with the same arithmetic as one().
   */
  parts(batch: SeriesInput[], horizon: number): CalibratedParts {
    const cal = this.calibration ?? this.learn(batch);
    const mean = new Float64Array(batch.length * horizon);
    const shape = new Float64Array(batch.length * 3);
    batch.forEach((s, i) => {
      const hist = toFloat64(s.history);
      const m = hist.length > 0 ? this.point.point(hist, horizon) : new Float64Array(horizon);
      shape.set(cachedShape(s, hist, cal.closed), i * 3);
      for (let h = 0; h < horizon; h++) mean[i * horizon + h] = m[h] > 0 ? m[h] : 0;
    });
    return { cal, mean, shape, horizon };
  }

  private one(s: SeriesInput, horizon: number, cal: QuantileCalibration): QuantileForecast {
    const hist = toFloat64(s.history);
    const m = hist.length > 0 ? this.point.point(hist, horizon) : new Float64Array(horizon);
    const [s10, s50, s90] = cachedShape(s, hist, cal.closed);
    const out: QuantileForecast = { p10: new Array(horizon), p50: new Array(horizon), p90: new Array(horizon) };
    for (let h = 0; h < horizon; h++) {
      const mh = m[h] > 0 ? m[h] : 0;
      const bin = binOf(stepWeekday(s, h + 1));
      // Each quantile has its own multiplier, so order them here (cheaper than tidy's per-step arrays).
      setOrdered(out, h, mh * s10 * cal.at(bin, 0), mh * s50 * cal.at(bin, 1), mh * s90 * cal.at(bin, 2));
    }
    return out;
  }
}

/**
 * Every model of an ensemble needs the same product's shape: computed once per history array and
 * set of closed weekdays (a WeakMap, so it goes away with the batch).
 */
const shapes = new WeakMap<object, { closed: string; shape: [number, number, number] }>();
/** The key of a closed-weekday array, made once per array (not once per product and member). */
const closedKeys = new WeakMap<boolean[], string>();

function cachedShape(s: SeriesInput, hist: Float64Array, closed: boolean[]): [number, number, number] {
  const key = s.history as object;
  let closedKey = closedKeys.get(closed);
  if (closedKey === undefined) closedKeys.set(closed, (closedKey = closed.map(Number).join('')));
  const hit = shapes.get(key);
  if (hit && hit.closed === closedKey) return hit.shape;
  const shape = demandShape({ ...s, history: hist }, closed);
  shapes.set(key, { closed: closedKey, shape });
  return shape;
}
