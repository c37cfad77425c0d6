import { LEAD_GRID, leadTimeP90, pastTotalsQuantile } from '../../../shared/forecasting/lead-time';
import { quantileSorted } from '../../../shared/backtest/metrics';

/** Every run of h consecutive values of the last `window`, summed one by one, sorted. */
function bruteTotals(y: number[], h: number, window: number): number[] {
  const t = y.slice(Math.max(0, y.length - window));
  const out: number[] = [];
  for (let i = 0; i + h <= t.length; i++) out.push(t.slice(i, i + h).reduce((a, v) => a + v, 0));
  return out.sort((a, b) => a - b);
}

describe('lead-time p90: the product\'s own past totals beside the summed daily p90s', () => {
  test('past h-step totals by hand: one sale of 3 every 5 days', () => {
    const y = [3, 0, 0, 0, 0, 3, 0, 0, 0, 0, 3, 0, 0, 0, 0];
    // 1-day totals: 12 zeros then 3 threes sorted (positions 0..14). p90: position 12.6, a three;
    // p80: position 11.2, between the last zero and the first three: 0 + 0.2 * 3
    expect(pastTotalsQuantile(y, 1, 0.9)).toBe(3);
    expect(pastTotalsQuantile(y, 1, 0.8)).toBeCloseTo(0.6, 12);
    // every 5-day window holds exactly one sale
    expect(pastTotalsQuantile(y, 5, 0.9)).toBe(3);
    expect(pastTotalsQuantile(y, 5, 0.1)).toBe(3);
    // 6-day windows: one or two sales
    expect(bruteTotals(y, 6, 182)).toEqual([3, 3, 3, 3, 3, 3, 3, 3, 6, 6]);
    expect(pastTotalsQuantile(y, 6, 0.9)).toBeCloseTo(6, 12);
    expect(pastTotalsQuantile(y, 16, 0.9)).toBeUndefined(); // fewer values than h
  });

  test('equals a brute-force recomputation on a lumpy random series, for every h and the window cut', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const y = Array.from({ length: 300 }, () => (rand() < 0.15 ? Math.floor(1 + rand() * 20) : 0));
    for (const window of [182, 40]) {
      for (const h of [1, 2, 7, 13, 28]) {
        for (const q of [0.1, 0.5, 0.9]) expect([window, h, q, pastTotalsQuantile(y, h, q, window)]).toEqual([window, h, q, quantileSorted(bruteTotals(y, h, window), q)]);
      }
    }
  });

  test('the selection equals the sorted quantile on many series: ties, all zeros, short, lumpy', () => {
    let seed = 11;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let trial = 0; trial < 200; trial++) {
      const len = 1 + Math.floor(rand() * 250);
      const p = [0, 0.02, 0.3, 1][trial % 4];
      const y = Array.from({ length: len }, () => (rand() < p ? Math.floor(1 + rand() * (trial % 3 === 0 ? 2 : 40)) : 0));
      const h = 1 + Math.floor(rand() * 30);
      const q = [0.9, 0.5, 0, 1, 0.37][trial % 5];
      const want = len - Math.min(len, 182) + Math.min(len, 182) >= h && Math.min(len, 182) >= h ? quantileSorted(bruteTotals(y, h, 182), q) : undefined;
      expect([trial, pastTotalsQuantile(y, h, q)]).toEqual([trial, want]);
    }
  });

  test('both ways of selecting (a count table for small integer totals, a heap otherwise) equal the sorted quantile', () => {
    let seed = 5;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    // units (counted), quarters (not integers: the heap; exact sums in any order), large integers
    // (totals over the table's 4,096: the heap), a window holding one fractional value (the heap)
    const kinds = [(v: number) => v, (v: number) => v / 4, (v: number) => v * 1000, (v: number) => v];
    for (let trial = 0; trial < 160; trial++) {
      const kind = trial % 4;
      const len = 20 + Math.floor(rand() * 230);
      const y = Array.from({ length: len }, () => (rand() < 0.4 ? kinds[kind](Math.floor(1 + rand() * 30)) : 0));
      if (kind === 3) y[len - 1 - Math.floor(rand() * Math.min(len, 182))] = 0.5;
      for (const h of [1, 3, 7, 28]) {
        if (h > Math.min(len, 182)) continue;
        for (const q of [0.9, 0.37, 1]) expect([trial, h, q, pastTotalsQuantile(y, h, q)]).toEqual([trial, h, q, quantileSorted(bruteTotals(y, h, 182), q)]);
      }
    }
  });

  test('leadTimeP90: the larger of the two per h (past totals exact at the grid lengths, linear between), non-decreasing; the sum without history', () => {
    const y = [0, 0, 5, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 2];
    const p90 = [0, 0, 0, 1, 1, 1, 1, 1, 1, 1];
    const got = leadTimeP90(y, p90);
    const past = (h: number) => quantileSorted(bruteTotals(y, h, 182), 0.9);
    const grid = [...LEAD_GRID.filter((g) => g < p90.length), p90.length];
    expect(grid).toEqual([1, 2, 3, 5, 7, 10]);
    const interp = (h: number) => {
      const j = grid.findIndex((g) => g >= h);
      if (grid[j] === h) return past(h);
      const [g0, g1] = [j > 0 ? grid[j - 1] : 0, grid[j]];
      const v0 = j > 0 ? past(g0) : 0;
      return v0 + ((h - g0) / (g1 - g0)) * (past(g1) - v0);
    };
    let sum = 0;
    let prev = 0;
    for (let h = 1; h <= p90.length; h++) {
      sum += p90[h - 1];
      prev = Math.max(prev, sum, interp(h));
      expect([h, got[h - 1]]).toEqual([h, expect.closeTo(prev, 12)]);
    }
    // a week of this product mostly holds a sale of 3-6: far above its summed daily p90s (4)
    expect(got[6]).toBeGreaterThan(4);
    expect(got.every((v, i) => i === 0 || v >= got[i - 1])).toBe(true);
    expect(leadTimeP90([], [1, 2, 0.5])).toEqual([1, 3, 3.5]);
    expect(leadTimeP90([2, 2], [0, 0, 0])).toEqual([2, 4, 4]); // h = 3: no 3-step window, the sum (0) and the running max
    expect(leadTimeP90(y, [])).toEqual([]);
  });

  test('bad arguments are refused with their name', () => {
    expect(() => pastTotalsQuantile([1, 2], 0, 0.9)).toThrow(/h must be a positive integer, got 0/);
    expect(() => pastTotalsQuantile([1, 2], 1.5, 0.9)).toThrow(/h must be a positive integer/);
    expect(() => pastTotalsQuantile([1, 2], 1, 1.2)).toThrow(/q must be in \[0, 1\], got 1.2/);
  });
});
