/**
 * Synthetic products with known structure, for the LSTM tests: a weekly pattern (closed on
 * Saturdays), a level set by the product's embedding cluster and its price, Poisson noise, and
 * launch dates spread over the year so some products are new at the origin.
 */
import type { SeriesInput } from '../../../shared/forecasting/model';
import { DAY_MS, gaussian, mulberry32 } from '../../../shared/forecasting/series';

export const WEEKLY = [0.6, 1.3, 1.2, 1.1, 1.0, 0.9, 0]; // Sunday .. Saturday
const CLUSTER_LEVEL = [1.5, 4, 9, 20];

export interface SynthProduct {
  sku: string;
  cluster: number;
  price: number;
  embedding: Float32Array;
  /** Epoch day of the first sale. */
  firstDay: number;
  /** Daily demand from firstDay, `days` long in total calendar. */
  demand: Float64Array;
  rating: number;
}

function poisson(lambda: number, rand: () => number): number {
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gaussian(rand)()));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rand();
  } while (p > l);
  return k - 1;
}

export function synthProducts(n: number, days: number, startDay: number, seed: number, dim = 32): SynthProduct[] {
  const rand = mulberry32(seed);
  const g = gaussian(rand);
  const centroids = CLUSTER_LEVEL.map(() => Float32Array.from({ length: dim }, () => g()));
  const out: SynthProduct[] = [];
  for (let i = 0; i < n; i++) {
    const cluster = i % CLUSTER_LEVEL.length;
    const e = Float32Array.from(centroids[cluster], (v) => v + 0.35 * g());
    const norm = Math.hypot(...e);
    for (let k = 0; k < dim; k++) e[k] /= norm;
    const price = Math.exp(0.5 + 0.8 * g());
    const level = CLUSTER_LEVEL[cluster] * Math.pow(price / 1.65, -0.5);
    // A third of the products launch during the year, so cold-start windows exist.
    const launch = rand() < 0.33 ? Math.floor(rand() * (days - 5)) : 0;
    const demand = new Float64Array(days - launch);
    for (let t = 0; t < demand.length; t++) {
      const wd = (((startDay + launch + t + 4) % 7) + 7) % 7;
      demand[t] = poisson(level * WEEKLY[wd], rand);
    }
    if (demand[0] === 0) demand[0] = 1; // the series starts at the first sale
    out.push({ sku: `P${i}`, cluster, price, embedding: e, firstDay: startDay + launch, demand, rating: 2 + cluster * 0.8 });
  }
  return out;
}

/** The model's view up to and including epoch day `origin` (empty history if launched after it). */
export function inputAt(p: SynthProduct, origin: number, withText = true, withReviews = false): SeriesInput {
  const n = Math.max(0, origin - p.firstDay + 1);
  const history = p.demand.subarray(0, Math.min(n, p.demand.length));
  const startTime = (n > 0 ? p.firstDay : origin + 1) * DAY_MS;
  return {
    sku: p.sku,
    history,
    startTime,
    bucketMs: DAY_MS,
    price: p.price,
    embedding: withText ? p.embedding : undefined,
    reviews: withReviews ? { count: 10, ratingMean: p.rating } : undefined,
  };
}

/** Actual demand of the `h` days after the origin (0 before launch). */
export function actualAfter(p: SynthProduct, origin: number, h: number): Float64Array {
  const out = new Float64Array(h);
  for (let k = 0; k < h; k++) {
    const i = origin + 1 + k - p.firstDay;
    out[k] = i >= 0 && i < p.demand.length ? p.demand[i] : 0;
  }
  return out;
}
