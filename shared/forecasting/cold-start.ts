/**
 * Cold start: a product with no sales is forecast from the products whose listings are nearest.
 *
 * fit(train) keeps, as references, every series with at least 28 buckets since its first sale: its
 * first-28-day demand, embedding, price and the weekday of its first sale.
 * forecast(batch): for each product without history, the k nearest references by
 *   score = cosine(embedding) - priceWeight * |ln(price / price_ref)|
 * (the price term alone when either side has no embedding) pool their launch demand, and the quantiles of that pool
 * are the forecast. Two things shape the pool, both structural rather than fitted:
 * - launch day: the product starts selling on an unknown day within the next `launchSpread` buckets
 *   (EVALUATION.md's new products first sell inside the 28 days after the origin), so each reference
 *   contributes its launch curve shifted to every start offset u = 1..launchSpread (0 before it);
 * - weekday: each reference day is moved (by at most 3 days) to the nearest day of its launch period
 *   with the target day's weekday, so a Saturday (shop closed) is forecast from Saturdays.
 */
import type { FitOptions, ForecastModel, QuantileForecast, SeriesInput } from './model';
import { DAY_MS } from './series';
import { KnnIndex } from './knn';

export interface ColdStartOptions {
  k?: number;
  priceWeight?: number;
  launchSpread?: number;
  /** Buckets of launch demand kept per reference. */
  launchDays?: number;
}

interface Reference {
  launch: Float64Array;
  price: number;
  /** Epoch day of the first sale (daily series), for weekday alignment. */
  firstDay: number;
}

export class ColdStartModel implements ForecastModel {
  readonly name = 'cold_start';
  private refs: Reference[] = [];
  private index = new KnnIndex([], []);
  private readonly k: number;
  private readonly priceWeight: number;
  private readonly spread: number;
  private readonly days: number;

  constructor(opts: ColdStartOptions = {}) {
    this.k = opts.k ?? 40;
    this.priceWeight = opts.priceWeight ?? 0.1;
    this.spread = opts.launchSpread ?? 28;
    this.days = opts.launchDays ?? 28;
  }

  get referenceCount(): number {
    return this.refs.length;
  }

  async fit(train: SeriesInput[], _opts?: FitOptions): Promise<void> {
    this.refs = [];
    const vectors: (Float32Array | undefined)[] = [];
    for (const s of train) {
      let f = 0;
      while (f < s.history.length && !(s.history[f] > 0)) f++;
      if (s.history.length - f < this.days) continue;
      const launch = Float64Array.from({ length: this.days }, (_, i) => s.history[f + i]);
      const firstDay = Math.floor(s.startTime / s.bucketMs) + f;
      this.refs.push({ launch, price: s.price ?? NaN, firstDay: s.bucketMs === DAY_MS ? firstDay : -1 });
      vectors.push(s.embedding);
    }
    this.index = new KnnIndex(vectors, this.refs.map((r) => r.price));
  }

  async forecast(batch: SeriesInput[], horizon: number): Promise<QuantileForecast[]> {
    if (this.refs.length === 0) throw new Error('cold_start: no reference products (call fit with series that have 28+ days of sales)');
    const neighbours = this.index.nearestMany(batch, this.k, this.priceWeight);
    return batch.map((s, i) => this.one(s, neighbours[i], horizon));
  }

  private one(s: SeriesInput, nb: number[], horizon: number): QuantileForecast {
    const originDay = Math.floor(s.startTime / s.bucketMs) + s.history.length - 1;
    const daily = s.bucketMs === DAY_MS;
    const out: QuantileForecast = { p10: [], p50: [], p90: [] };
    const spread = Math.max(1, this.spread);
    // one typed pool for every step: numeric sort without a comparator, no per-step garbage
    const pool = new Float64Array(nb.length * spread);
    for (let h = 1; h <= horizon; h++) {
      const counts = { nonzero: 0, negative: 0, zeros: 0 };
      for (const j of nb) {
        const r = this.refs[j];
        for (let u = 1; u <= spread; u++) {
          const i = h - u; // days since the (shifted) launch
          const v = i < 0 ? 0 : r.launch[daily && r.firstDay >= 0 ? sameWeekday(i, r.firstDay, originDay + h, r.launch.length) : Math.min(i, r.launch.length - 1)];
          if (v === 0) counts.zeros++;
          else {
            pool[counts.nonzero++] = v;
            if (v < 0) counts.negative++;
          }
        }
      }
      const [p10, p50, p90] = poolQuantiles(pool, counts);
      out.p10.push(p10);
      out.p50.push(p50);
      out.p90.push(p90);
    }
    return out;
  }
}

/**
 * p10/p50/p90 (linear interpolation) of a pool given as its nonzero values (pool[0..nonzero), of
 * which `negative` are below 0) and a count of zeros: the values of the whole pool sorted, without
 * sorting the zeros, which are most of it (days before a launch, days without sales).
 */
export function poolQuantiles(pool: Float64Array, c: { nonzero: number; negative: number; zeros: number }): [number, number, number] {
  const n = c.nonzero + c.zeros;
  if (n === 0) return [0, 0, 0];
  const sorted = pool.subarray(0, c.nonzero).sort();
  const rank = (r: number) => (r < c.negative ? sorted[r] : r < c.negative + c.zeros ? 0 : sorted[r - c.zeros]);
  const at = (q: number) => {
    const x = (n - 1) * q;
    const lo = Math.floor(x);
    const hi = Math.min(n - 1, lo + 1);
    const a = rank(lo);
    return a + (x - lo) * (rank(hi) - a);
  };
  return [at(0.1), at(0.5), at(0.9)];
}

/** Index near i (within 3, inside [0, len)) whose day (firstDay + index) has the weekday of targetDay. */
export function sameWeekday(i: number, firstDay: number, targetDay: number, len: number): number {
  let d = (((targetDay - (firstDay + i)) % 7) + 7) % 7; // 0..6 forward
  if (d > 3) d -= 7;
  let j = i + d;
  if (j < 0) j += 7;
  while (j >= len) j -= 7;
  return Math.max(0, j);
}
