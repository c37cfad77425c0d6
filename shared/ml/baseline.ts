/**
 * The local baseline the LSTM corrects (the ES-RNN idea, Smyl 2020): calibrated simple exponential
 * smoothing, computed exactly as the `ses` model does it (shared/forecasting: level by a per-series
 * alpha grid, quantiles = level x the product's demand shape x a global multiplier per target
 * weekday). The network's output starts at zero and adds a relative and an absolute correction to
 * these quantiles, so an untrained network forecasts what ses forecasts and training only has to
 * learn what ses misses (weekday profile, trend, text, price), not the level of 3,000 products.
 */
import { binOf, demandShape, QuantileCalibration } from '../forecasting/calibration';
import { SES_ALPHAS, fitHolt } from '../forecasting/exp-smoothing';
import { statisticalModel } from '../forecasting/index';
import type { SeriesInput } from '../forecasting/model';
import { stepWeekday, tail } from '../forecasting/series';
import type { Prepared } from './features';

/** What metadata.json keeps of the ses calibration (QuantileCalibration.toJSON). */
export interface SesCalibrationJson {
  table: number[];
  closed: boolean[];
}

/** Same window as SesForecaster's default (shared/forecasting/exp-smoothing.ts). */
const SES_WINDOW = 182;

/** Learns the ses quantile multipliers on the training series (the 3 x 28-day holdouts before their end). */
export function learnSesCalibration(train: SeriesInput[]): SesCalibrationJson {
  return statisticalModel('ses').learn(train).toJSON();
}

const hydrated = new WeakMap<SesCalibrationJson, QuantileCalibration>();

function calibrationOf(j: SesCalibrationJson): QuantileCalibration {
  let c = hydrated.get(j);
  if (!c) hydrated.set(j, (c = QuantileCalibration.fromJSON(j)));
  return c;
}

/** The ses state of a product at origin o: level and demand shape (p10, p50, p90 over the mean). */
export interface LocalBase {
  level: number;
  shape: [number, number, number];
  /** The series as ses saw it (history from the first sale to o), for the step weekdays. */
  view: SeriesInput;
}

/** Undefined for an example before the first sale (cold start): there is nothing to smooth. */
export function localBase(p: Prepared, o: number, cal: SesCalibrationJson): LocalBase | undefined {
  const hi = Math.min(o, p.values.length - 1);
  if (hi < p.first) return undefined;
  const history = p.values.subarray(p.first, hi + 1);
  const view: SeriesInput = { ...p.input, history, startTime: p.t0 + p.first * p.bucketMs };
  const level = Math.max(0, fitHolt(tail(history, SES_WINDOW), SES_ALPHAS, [0]).state.level);
  return { level, shape: demandShape(view, calibrationOf(cal).closed), view };
}

/**
 * Writes base quantile k of step h, divided by the scale s, at out[(k * H + h) * n + col] (zeros
 * for a cold example).
 */
export function writeBase(out: Float32Array, col: number, n: number, H: number, b: LocalBase | undefined, s: number, cal: SesCalibrationJson): void {
  const c = calibrationOf(cal);
  for (let h = 0; h < H; h++) {
    const bin = b ? binOf(stepWeekday(b.view, h + 1)) : 0;
    for (let k = 0; k < 3; k++) out[(k * H + h) * n + col] = b ? (b.level * b.shape[k] * c.at(bin, k)) / s : 0;
  }
}
