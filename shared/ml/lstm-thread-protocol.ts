/** Messages between LstmThread and its worker (lstm-thread.ts, lstm-thread-worker.ts), and the forecast packing. */
import type { QuantileForecast, SeriesInput } from '../forecasting/model';

/** The fields of a SeriesInput the LSTM reads (features.ts, baseline.ts): the rest is not sent. */
export type ThreadInput = Pick<SeriesInput, 'sku' | 'history' | 'startTime' | 'bucketMs' | 'price' | 'embedding'> & { reviews?: { count: number; ratingMean: number } };

export type ThreadRequest =
  | { kind: 'load'; id: number; dir: string; version: string }
  | { kind: 'drop'; id: number; version: string }
  | { kind: 'forecast'; id: number; version: string; inputs: PackedInputs; horizon: number };

export type ThreadReply = { id: number; ok: true; packed?: Float64Array } | { id: number; ok: false; error: string };

/** One product of PackedInputs: its scalars, and how many values of the shared arrays are its own. */
interface InputRow {
  sku: string;
  startTime: number;
  bucketMs: number;
  price?: number;
  reviews?: { count: number; ratingMean: number };
  historyLength: number;
  /** -1: no embedding. */
  embeddingLength: number;
}

/**
 * A forecast request's inputs: the products' histories end to end in one Float64Array and their
 * embeddings in one Float32Array, both transferred (moved, not copied) with the message. Why: cloning
 * two typed arrays per product (each a new ArrayBuffer on both sides) was a visible share of the
 * main thread's pass, and a typed array that is a view into a larger buffer (the ensemble's
 * validation cut, an embedding in a Redis reply) would have cloned that whole buffer.
 */
export interface PackedInputs {
  rows: InputRow[];
  histories: Float64Array;
  embeddings: Float32Array;
}

export function packInputs(batch: SeriesInput[]): PackedInputs {
  let hn = 0;
  let en = 0;
  for (const s of batch) {
    hn += s.history.length;
    en += s.embedding?.length ?? 0;
  }
  const histories = new Float64Array(hn);
  const embeddings = new Float32Array(en);
  let ho = 0;
  let eo = 0;
  const rows = batch.map((s): InputRow => {
    const h = s.history;
    if (h instanceof Float64Array || h instanceof Float32Array) histories.set(h, ho);
    else for (let i = 0; i < h.length; i++) histories[ho + i] = h[i];
    ho += h.length;
    if (s.embedding) embeddings.set(s.embedding, eo);
    eo += s.embedding?.length ?? 0;
    const row: InputRow = { sku: s.sku, startTime: s.startTime, bucketMs: s.bucketMs, historyLength: h.length, embeddingLength: s.embedding ? s.embedding.length : -1 };
    if (s.price !== undefined) row.price = s.price;
    if (s.reviews !== undefined) row.reviews = { count: s.reviews.count, ratingMean: s.reviews.ratingMean };
    return row;
  });
  return { rows, histories, embeddings };
}

/** The buffers to transfer with a request carrying `p` (they are unusable in the sender afterwards). */
export const transferOf = (p: PackedInputs): ArrayBuffer[] => [p.histories.buffer as ArrayBuffer, p.embeddings.buffer as ArrayBuffer];

/** The inputs again, as views into the packed arrays (no copy). */
export function unpackInputs(p: PackedInputs): ThreadInput[] {
  let ho = 0;
  let eo = 0;
  return p.rows.map((r) => {
    const t: ThreadInput = { sku: r.sku, history: p.histories.subarray(ho, ho + r.historyLength), startTime: r.startTime, bucketMs: r.bucketMs };
    ho += r.historyLength;
    if (r.embeddingLength >= 0) {
      t.embedding = p.embeddings.subarray(eo, eo + r.embeddingLength);
      eo += r.embeddingLength;
    }
    if (r.price !== undefined) t.price = r.price;
    if (r.reviews !== undefined) t.reviews = r.reviews;
    return t;
  });
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
