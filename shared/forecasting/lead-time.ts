/**
 * A p90 of a product's TOTAL demand over the next h steps, for the restock rule's question "will the
 * stock last the lead time". The daily p90s summed do not give it on intermittent demand: a product
 * selling on 5% of days has a daily p90 of 0 yet sells within a week with probability 0.30, so the
 * sum covered only 0.77 of the 28-day totals on Online Retail (BENCHMARKS.md "Lead-time demand").
 * The product's own past h-step totals (every window of h consecutive steps in its recent history)
 * keep what the marginals lose: how often it sells at all within h steps and how lumpy it is. They
 * do not know the forecast's level, so the bound is the larger of the two: it covered 0.919 / 0.919 /
 * 0.895 / 0.885 of the 3 / 7 / 14 / 28-day totals, with nothing fitted. Pure; bench/lead-time.ts
 * measures it. Not yet carried by the trends (see BENCHMARKS.md).
 */

/** Recent history the past totals are taken from (steps): 26 weeks, as the smoothing models use. */
export const PAST_TOTALS_WINDOW = 182;

/**
 * The q-quantile (linear interpolation between order statistics) of the totals of every run of h
 * consecutive values in the last `window` values of `history`; undefined when fewer than h values.
 */
export function pastTotalsQuantile(history: ArrayLike<number>, h: number, q: number, window = PAST_TOTALS_WINDOW): number | undefined {
  if (!(h >= 1) || !Number.isInteger(h)) throw new Error(`pastTotalsQuantile: h must be a positive integer, got ${h}`);
  if (!(q >= 0 && q <= 1)) throw new Error(`pastTotalsQuantile: q must be in [0, 1], got ${q}`);
  const from = Math.max(0, history.length - window);
  const n = history.length - from;
  if (n < h) return undefined;
  const totals = new Float64Array(n - h + 1);
  let s = 0;
  for (let i = 0; i < n; i++) {
    s += history[from + i];
    if (i >= h) s -= history[from + i - h];
    if (i >= h - 1) totals[i - h + 1] = s;
  }
  totals.sort();
  const x = (totals.length - 1) * q;
  const lo = Math.floor(x);
  const hi = Math.min(totals.length - 1, lo + 1);
  return totals[lo] + (x - lo) * (totals[hi] - totals[lo]);
}

/**
 * For h = 1..p90.length: max(sum of the daily p90s of steps 1..h, the 0.9-quantile of the past
 * h-step totals), made non-decreasing in h (a total over more steps cannot be smaller). Without
 * enough history for some h (a new product), that h gets the sum alone.
 */
export function leadTimeP90(history: ArrayLike<number>, p90: ArrayLike<number>, window = PAST_TOTALS_WINDOW): number[] {
  const out = new Array<number>(p90.length);
  let sum = 0;
  let prev = 0;
  for (let h = 1; h <= p90.length; h++) {
    sum += p90[h - 1];
    const past = pastTotalsQuantile(history, h, 0.9, window);
    prev = Math.max(prev, sum, past ?? 0);
    out[h - 1] = prev;
  }
  return out;
}
