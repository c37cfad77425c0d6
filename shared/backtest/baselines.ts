/**
 * The reference baselines of EVALUATION.md, computed in the same run as the models.
 * Established: seasonal_naive, zero, mean28, weekday_quantiles (functions of one product's history).
 * New: flat, flat_quantiles, price_decile_quantiles (functions of the reference products' first 28 days).
 */
import type { QuantileForecast } from '../forecasting/model';
import { quantileSorted } from './metrics';
import type { ReferenceItem } from './windows';

const flatForecast = (h: number, p10: number, p50: number, p90: number): QuantileForecast => ({
  p10: new Array(h).fill(p10),
  p50: new Array(h).fill(p50),
  p90: new Array(h).fill(p90),
});

/**
 * "The last 7 days before the origin, repeated": days origin-7 .. origin-1 (the origin day itself is
 * not among them; that reading is the one that reproduces the EVALUATION.md table).
 */
export function seasonalNaiveBaseline(history: ArrayLike<number>, h: number): QuantileForecast {
  const n = history.length;
  const v: number[] = [];
  // Days before the first sale had no demand, so a short history is padded with zeros.
  for (let i = 0; i < h; i++) {
    const t = n - 8 + (i % 7);
    v.push(t >= 0 ? history[t] : 0);
  }
  return { p10: v, p50: [...v], p90: [...v] };
}

export const zeroBaseline = (h: number): QuantileForecast => flatForecast(h, 0, 0, 0);

export function mean28Baseline(history: ArrayLike<number>, h: number): QuantileForecast {
  const n = history.length;
  let s = 0;
  for (let t = Math.max(0, n - 28); t < n; t++) s += history[t];
  const m = s / 28;
  return flatForecast(h, m, m, m);
}

/** Per horizon day, p10/p50/p90 of the same weekday within the last 8 weeks (56 days) of the history. */
export function weekdayQuantilesBaseline(history: ArrayLike<number>, h: number): QuantileForecast {
  const n = history.length;
  const out: QuantileForecast = { p10: [], p50: [], p90: [] };
  for (let i = 1; i <= h; i++) {
    const same: number[] = [];
    // Target index n-1+i; same weekday at n-1+i-7k, kept while inside the last 56 days of history.
    for (let t = n - 1 + i - 7 * Math.ceil(i / 7); t >= Math.max(0, n - 56); t -= 7) same.push(history[t]);
    same.sort((a, b) => a - b);
    out.p10.push(quantileSorted(same, 0.1));
    out.p50.push(quantileSorted(same, 0.5));
    out.p90.push(quantileSorted(same, 0.9));
  }
  return out;
}

export const ESTABLISHED_BASELINES: Record<string, (history: ArrayLike<number>, h: number) => QuantileForecast> = {
  seasonal_naive: seasonalNaiveBaseline,
  zero: (_history, h) => zeroBaseline(h),
  mean28: mean28Baseline,
  weekday_quantiles: weekdayQuantilesBaseline,
};

/** Precomputed pooled distributions of the reference products, one per window. */
export class NewProductBaselines {
  private readonly pooled: Float64Array;
  private readonly mean: number;
  private readonly cuts: number[];
  private readonly decilePools: Float64Array[];

  constructor(refs: ReferenceItem[]) {
    this.pooled = concatSorted(refs.map((r) => r.first28));
    this.mean = this.pooled.reduce((a, b) => a + b, 0) / Math.max(1, this.pooled.length);
    const prices = Float64Array.from(refs.map((r) => r.price28).filter((p) => Number.isFinite(p))).sort();
    this.cuts = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => quantileSorted(prices, k / 10));
    const groups: Float64Array[][] = Array.from({ length: 10 }, () => []);
    for (const r of refs) if (Number.isFinite(r.price28)) groups[this.decile(r.price28)].push(r.first28);
    this.decilePools = groups.map(concatSorted);
  }

  /** Decile index 0..9: the number of cut points strictly below the price. */
  decile(price: number): number {
    let k = 0;
    while (k < this.cuts.length && this.cuts[k] < price) k++;
    return k;
  }

  flat(h: number): QuantileForecast {
    return flatForecast(h, this.mean, this.mean, this.mean);
  }

  flatQuantiles(h: number): QuantileForecast {
    return quantileForecast(this.pooled, h);
  }

  priceDecileQuantiles(price: number, h: number): QuantileForecast {
    const pool = Number.isFinite(price) ? this.decilePools[this.decile(price)] : this.pooled;
    return quantileForecast(pool.length ? pool : this.pooled, h);
  }
}

function concatSorted(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out.sort();
}

function quantileForecast(sorted: Float64Array, h: number): QuantileForecast {
  return flatForecast(h, quantileSorted(sorted, 0.1), quantileSorted(sorted, 0.5), quantileSorted(sorted, 0.9));
}

export const NEW_BASELINES = ['flat', 'flat_quantiles', 'price_decile_quantiles'] as const;

export function newBaseline(name: (typeof NEW_BASELINES)[number], b: NewProductBaselines, price: number, h: number): QuantileForecast {
  if (name === 'flat') return b.flat(h);
  if (name === 'flat_quantiles') return b.flatQuantiles(h);
  return b.priceDecileQuantiles(price, h);
}
