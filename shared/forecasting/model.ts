/**
 * The one interface every forecasting model implements, so that the backtest, the forecaster
 * worker and the ensemble treat seasonal naive, ETS, ARIMA and the LSTM alike.
 * Pure: no Kafka, Redis, prom-client here. tfjs-backed models live in shared/ml and implement it.
 */
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

/** Per step of the horizon, step 1 first. p10 <= p50 <= p90 and all >= 0. */
export interface QuantileForecast {
  p10: number[];
  p50: number[];
  p90: number[];
}

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
}

/** Sorts each step's triple and clamps at zero: models must never publish crossed quantiles. */
export function tidy(f: QuantileForecast): QuantileForecast {
  const out: QuantileForecast = { p10: [], p50: [], p90: [] };
  for (let i = 0; i < f.p50.length; i++) {
    const v = [f.p10[i], f.p50[i], f.p90[i]].map((x) => (Number.isFinite(x) ? Math.max(0, x) : 0)).sort((a, b) => a - b);
    out.p10.push(v[0]);
    out.p50.push(v[1]);
    out.p90.push(v[2]);
  }
  return out;
}
