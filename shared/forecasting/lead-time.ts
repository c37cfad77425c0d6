/**
 * A p90 of a product's TOTAL demand over the next h steps, for the restock rule's question "will the
 * stock last the lead time". The daily p90s summed do not give it on intermittent demand: a product
 * selling on 5% of days has a daily p90 of 0 yet sells within a week with probability 0.30, so the
 * sum covered only 0.77 of the 28-day totals on Online Retail (BENCHMARKS.md "Lead-time demand").
 * The product's own past h-step totals (every window of h consecutive steps in its recent history)
 * keep what the marginals lose: how often it sells at all within h steps and how lumpy it is. They
 * do not know the forecast's level, so the bound is the larger of the two: it covered 0.919 / 0.919 /
 * 0.895 / 0.885 of the 3 / 7 / 14 / 28-day totals, with nothing fitted. Pure; bench/lead-time.ts
 * measures it. The forecaster publishes it as the trends' leadP90 (schema v3), which the restock
 * rule reads (shared/domain/restock.ts).
 */

/** Recent history the past totals are taken from (steps): 26 weeks, as the smoothing models use. */
export const PAST_TOTALS_WINDOW = 182;

/**
 * The q-quantile (linear interpolation between order statistics) of the totals of every run of h
 * consecutive values in the last `window` values of `history`; undefined when fewer than h values.
 * `scratch` (at least `window` long) saves an allocation per call.
 */
export function pastTotalsQuantile(history: ArrayLike<number>, h: number, q: number, window = PAST_TOTALS_WINDOW, scratch?: Float64Array): number | undefined {
  if (!(h >= 1) || !Number.isInteger(h)) throw new Error(`pastTotalsQuantile: h must be a positive integer, got ${h}`);
  if (!(q >= 0 && q <= 1)) throw new Error(`pastTotalsQuantile: q must be in [0, 1], got ${q}`);
  return totalsQuantile(history, h, q, window, countable(history, window), scratch);
}

/** Totals up to this bound are counted in a table instead of selected with a heap. */
const COUNT_CAP = 4096;
const counts = new Uint32Array(COUNT_CAP + 1);

/**
 * Whether the window holds non-negative integers summing to COUNT_CAP at most, so that every total
 * is a small integer, exact whatever the order of additions (the demand of most products: units).
 */
function countable(history: ArrayLike<number>, window: number): boolean {
  let sum = 0;
  for (let i = Math.max(0, history.length - window); i < history.length; i++) {
    const v = history[i];
    if (!(v >= 0) || v !== Math.floor(v)) return false;
    sum += v;
  }
  return sum <= COUNT_CAP;
}

function totalsQuantile(history: ArrayLike<number>, h: number, q: number, window: number, counted: boolean, scratch?: Float64Array): number | undefined {
  const from = Math.max(0, history.length - window);
  const n = history.length - from;
  if (n < h) return undefined;
  const m = n - h + 1;
  const x = (m - 1) * q;
  const lo = Math.floor(x);
  return counted ? countedQuantile(history, from, n, h, x, lo) : heapQuantile(history, from, n, h, x, lo, m, scratch);
}

/**
 * Order statistics lo and lo + 1 of the totals by counting them in a table: about 3x faster than
 * the heap on typical histories (bench), and the same values (the totals are exact integers).
 */
function countedQuantile(history: ArrayLike<number>, from: number, n: number, h: number, x: number, lo: number): number {
  let s = 0;
  let max = 0;
  for (let i = 0; i < n; i++) {
    s += history[from + i];
    if (i >= h) s -= history[from + i - h];
    if (i < h - 1) continue;
    counts[s]++;
    if (s > max) max = s;
  }
  let seen = 0;
  let a = 0;
  while ((seen += counts[a]) <= lo) a++;
  let b = a;
  // the next order statistic is another value only when a's run of equal totals ends at lo
  if (x !== lo && seen === lo + 1) while (counts[++b] === 0);
  counts.fill(0, 0, max + 1);
  return x === lo ? a : a + (x - lo) * (b - a);
}

function heapQuantile(history: ArrayLike<number>, from: number, n: number, h: number, x: number, lo: number, m: number, scratch?: Float64Array): number {
  // the quantile needs the order statistics lo and lo + 1 only, i.e. the least two of the k = m - lo
  // largest totals (a tenth of them for a p90): kept in a min-heap, most totals are rejected at once
  const k = m - lo;
  const heap = scratch && scratch.length >= k ? scratch : new Float64Array(k);
  let filled = 0;
  let s = 0;
  for (let i = 0; i < n; i++) {
    s += history[from + i];
    if (i >= h) s -= history[from + i - h];
    if (i < h - 1) continue;
    if (filled < k) siftUp(heap, filled++, s);
    else if (s > heap[0]) siftDown(heap, k, s);
  }
  const a = heap[0];
  if (k === 1 || x === lo) return a;
  const b = k === 2 ? heap[1] : Math.min(heap[1], heap[2]);
  return a + (x - lo) * (b - a);
}

/** Puts v at slot `at` (the heap's new last) and moves it up to its place. */
function siftUp(heap: Float64Array, at: number, v: number): void {
  let j = at;
  while (j > 0) {
    const parent = (j - 1) >> 1;
    if (heap[parent] <= v) break;
    heap[j] = heap[parent];
    j = parent;
  }
  heap[j] = v;
}

/** Replaces the least value of heap[0..size) by v and moves it down to its place. */
function siftDown(heap: Float64Array, size: number, v: number): void {
  let j = 0;
  for (;;) {
    let c = 2 * j + 1;
    if (c >= size) break;
    if (c + 1 < size && heap[c + 1] < heap[c]) c++;
    if (heap[c] >= v) break;
    heap[j] = heap[c];
    j = c;
  }
  heap[j] = v;
}

/**
 * Lengths at which the past totals are computed; lengths between two of them are interpolated
 * linearly (the p90 of h-step totals is close to linear in h there). With the heap alone all 28
 * cost ~100 ms per 3,000 products on the forecaster's main thread, these 8 about a third of that;
 * the count table takes the 8 from ~18 to ~13 us per product in the worker (7 us in a micro-bench).
 */
export const LEAD_GRID = [1, 2, 3, 5, 7, 14, 21, 28];

/**
 * For h = 1..p90.length: max(sum of the daily p90s of steps 1..h, the 0.9-quantile of the past
 * h-step totals (at the LEAD_GRID lengths, interpolated between them)), made non-decreasing in h (a
 * total over more steps is not smaller). Where the history is shorter than h (a new product), h
 * gets the sum alone.
 */
export function leadTimeP90(history: ArrayLike<number>, p90: ArrayLike<number>, window = PAST_TOTALS_WINDOW): number[] {
  const H = p90.length;
  const grid = LEAD_GRID.filter((g) => g < H);
  if (H > 0) grid.push(H);
  const counted = countable(history, window);
  const scratch = counted ? undefined : new Float64Array(Math.max(1, Math.min(window, history.length)));
  const at = grid.map((g) => totalsQuantile(history, g, 0.9, window, counted, scratch));
  const out = new Array<number>(H);
  let sum = 0;
  let prev = 0;
  let j = 0; // grid[j] is the first grid length >= h
  for (let h = 1; h <= H; h++) {
    sum += p90[h - 1];
    while (grid[j] < h) j++;
    // the grid starts at 1, so a length between grid points has one below it (j > 0)
    const v0 = at[j - 1];
    const v1 = at[j];
    const past = grid[j] === h ? v1 : v0 === undefined || v1 === undefined ? undefined : v0 + ((h - grid[j - 1]) / (grid[j] - grid[j - 1])) * (v1 - v0);
    prev = Math.max(prev, sum, past ?? 0);
    out[h - 1] = prev;
  }
  return out;
}
