/** Messages between LstmThread and its worker (lstm-thread.ts, lstm-thread-worker.ts), and the forecast packing. */
import type { QuantileForecast, SeriesInput } from '../forecasting/model';

/** The fields of a SeriesInput the LSTM reads (features.ts, baseline.ts): the rest is not sent. */
export type ThreadInput = Pick<SeriesInput, 'sku' | 'history' | 'startTime' | 'bucketMs' | 'price' | 'embedding'> & { reviews?: { count: number; ratingMean: number } };

export type ThreadRequest =
  | { kind: 'load'; id: number; dir: string; version: string }
  | { kind: 'drop'; id: number; version: string }
  | { kind: 'forecast'; id: number; version: string; inputs: ThreadInput[]; horizon: number };

export type ThreadReply = { id: number; ok: true; packed?: Float64Array } | { id: number; ok: false; error: string };

/**
 * A typed array that is a view into a larger buffer is copied: postMessage clones a view's whole
 * ArrayBuffer (the ensemble's validation cut is a subarray of the full history).
 */
function own<T extends Float32Array | Float64Array>(a: T): T {
  return a.byteLength === a.buffer.byteLength ? a : (a.slice() as T);
}

export function threadInput(s: SeriesInput): ThreadInput {
  const h = s.history;
  const history = h instanceof Float64Array || h instanceof Float32Array ? own(h) : Float64Array.from(h);
  const t: ThreadInput = { sku: s.sku, history, startTime: s.startTime, bucketMs: s.bucketMs };
  if (s.price !== undefined) t.price = s.price;
  if (s.embedding !== undefined) t.embedding = own(s.embedding);
  if (s.reviews !== undefined) t.reviews = { count: s.reviews.count, ratingMean: s.reviews.ratingMean };
  return t;
}

/** [product][p10, p50, p90][step] in one array; Float64 so the thread's forecasts equal the in-process ones exactly. */
export function packForecasts(fs: QuantileForecast[], horizon: number): Float64Array {
  const out = new Float64Array(fs.length * 3 * horizon);
  fs.forEach((f, i) => {
    const o = i * 3 * horizon;
    for (let h = 0; h < horizon; h++) {
      out[o + h] = f.p10[h];
      out[o + horizon + h] = f.p50[h];
      out[o + 2 * horizon + h] = f.p90[h];
    }
  });
  return out;
}

export function unpackForecasts(packed: Float64Array, horizon: number): QuantileForecast[] {
  const n = packed.length / (3 * horizon);
  const out: QuantileForecast[] = new Array(n);
  // plain loops: Array.from over subarrays was a visible share of the main thread's pass
  const part = (from: number) => {
    const a: number[] = new Array(horizon);
    for (let h = 0; h < horizon; h++) a[h] = packed[from + h];
    return a;
  };
  for (let i = 0; i < n; i++) {
    const o = i * 3 * horizon;
    out[i] = { p10: part(o), p50: part(o + horizon), p90: part(o + 2 * horizon) };
  }
  return out;
}
