/**
 * The one interface every forecasting model implements, so that the backtest, the forecaster
 * worker and the ensemble treat seasonal naive, ETS, ARIMA and the LSTM alike.
 * Pure: no Kafka, Redis, prom-client here. tfjs-backed models live in shared/ml and implement it.
 */
import type { QuantileForecast } from '../domain/quantiles';

export interface SeriesInput {
  sku: string;
  /** Demand per bucket, oldest first; the last value is the bucket that ends at the forecast origin. Non-negative. */
  history: ArrayLike<number>;
  /** Epoch ms of the start of history[0]'s bucket. */
  startTime: number;
  bucketMs: number;
  price?: number;
  category?: string;
  brand?: string;
  /** Listing text embedding (title + description), unit length. */
  embedding?: Float32Array;
  reviews?: { count: number; ratingMean: number; embedding?: Float32Array };
}

// The forecast's shape belongs to the domain (a trend carries it); models produce it.
export type { QuantileForecast };

export interface FitOptions {
  horizon: number;
  /** Optional progress callback (0..1) for long fits. */
  onProgress?: (fraction: number) => void;
}

export interface ForecastModel {
  readonly name: string;
  /** Global models learn across products here; local models may skip it. */
  fit?(train: SeriesInput[], opts: FitOptions): Promise<void>;
  forecast(batch: SeriesInput[], horizon: number): Promise<QuantileForecast[]>;
  /**
   * forecast() does its work off this thread (the LSTM's worker thread): an ensemble calls it before
   * its other members, so their work on this thread overlaps it.
   */
  readonly offloaded?: boolean;
  /**
   * Starts the offloaded part of forecast() now and returns the rest, to be called once: `start(b, h)()`
   * gives what `forecast(b, h)` gives. The worker starts the next batch this way as soon as it is read,
   * so the LSTM's thread works on it while this thread finishes the current batch (services/forecaster/job.ts).
   */
  start?(batch: SeriesInput[], horizon: number): () => Promise<QuantileForecast[]>;
}

/**
 * `model.start` where the model has it; for an offloaded model forecast() itself, called now (its
 * work is on the other thread); for any other model, forecast() when the returned function is called.
 */
export function startForecast(model: ForecastModel, batch: SeriesInput[], horizon: number): () => Promise<QuantileForecast[]> {
  if (model.start) return model.start(batch, horizon);
  if (!model.offloaded) return () => model.forecast(batch, horizon);
  const early = model.forecast(batch, horizon);
  early.catch(() => undefined); // may reject before it is awaited, or never be (a failed pass)
  return () => early;
}

/**
 * Sorts each step's triple and clamps at zero (non-finite values become 0): models must never publish
 * crossed quantiles. Three compare-and-swaps per step instead of a sorted array: the worker runs
 * this for every step of every product, and Array.prototype.sort allocated ~1 KB per call.
 */
export function tidy(f: QuantileForecast): QuantileForecast {
  const n = f.p50.length;
  const out: QuantileForecast = { p10: new Array(n), p50: new Array(n), p90: new Array(n) };
  for (let i = 0; i < n; i++) setOrdered(out, i, clean(f.p10[i]), clean(f.p50[i]), clean(f.p90[i]));
  return out;
}

/** Writes three quantile values at step i in ascending order (a three-comparison sort, no arrays). */
export function setOrdered(out: QuantileForecast, i: number, a: number, b: number, c: number): void {
  if (a > b) [a, b] = [b, a];
  if (b > c) [b, c] = [c, b];
  if (a > b) [a, b] = [b, a];
  out.p10[i] = a;
  out.p50[i] = b;
  out.p90[i] = c;
}

const clean = (x: number) => (Number.isFinite(x) ? Math.max(0, x) : 0);
