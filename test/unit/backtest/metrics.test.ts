import { maseScale, pinball, quantileSorted, rmsseScale, scoreSegment, meanScores } from '../../../shared/backtest/metrics';

describe('pinball loss', () => {
  it('matches hand-computed values', () => {
    expect(pinball(10, 7, 0.9)).toBeCloseTo(2.7, 12); // under-forecast: q * (y - p)
    expect(pinball(10, 13, 0.9)).toBeCloseTo(0.3, 12); // over-forecast: (1 - q) * (p - y)
    expect(pinball(0, 4, 0.1)).toBeCloseTo(3.6, 12);
    expect(pinball(5, 5, 0.5)).toBe(0);
    expect(pinball(3, 1, 0.5)).toBe(1); // half the absolute error at the median
  });
});

describe('segment measures on a tiny hand example', () => {
  // Two products, 2 days. y = [2, 0] and [4, 2]; sum y = 8.
  const a = { actual: [2, 0], forecast: { p10: [0, 0], p50: [1, 1], p90: [3, 2] }, maseScale: 2, rmsseScale: 4 };
  const b = { actual: [4, 2], forecast: { p10: [1, 3], p50: [2, 2], p90: [5, 4] }, maseScale: 1, rmsseScale: 1 };
  const s = scoreSegment([a, b]);

  it('WQL = mean over q of 2 * sum pinball / sum y', () => {
    // q=0.1: a: 0.2 + 0 ; b: 0.3 + 0.9 (over by 1 at 0.9) -> 1.4
    // q=0.5: a: 0.5 + 0.5 ; b: 1 + 0 -> 2.0
    // q=0.9: a: 0.1 + 0.2 ; b: 0.1 + 0.2 -> 0.6
    const expected = ((2 * 1.4) / 8 + (2 * 2.0) / 8 + (2 * 0.6) / 8) / 3;
    expect(s.wql).toBeCloseTo(expected, 12);
  });

  it('WAPE, coverage, RMSE, MASE, RMSSE', () => {
    expect(s.wape).toBeCloseTo(4 / 8, 12); // |2-1| + |0-1| + |4-2| + 0
    expect(s.coverage).toBeCloseTo(3 / 4, 12); // b day 2: y=2 < p10=3
    expect(s.rmse).toBeCloseTo(Math.sqrt((1 + 1 + 4 + 0) / 4), 12);
    expect(s.mase).toBeCloseTo((1 / 2 + 1 / 1) / 2, 12); // a: mean|e|=1 / 2; b: 1 / 1
    expect(s.rmsse).toBeCloseTo((Math.sqrt(1 / 4) + Math.sqrt(2 / 1)) / 2, 12);
    expect(s.products).toBe(2);
    expect(s.points).toBe(4);
  });

  it('means over windows', () => {
    const m = meanScores([s, { ...s, wql: s.wql + 1 }]);
    expect(m.wql).toBeCloseTo(s.wql + 0.5, 12);
  });
});

describe('scales', () => {
  it('MASE denominator uses lag-7 differences and needs at least two of them', () => {
    const h = [1, 0, 0, 0, 0, 0, 0, 3, 0];
    expect(maseScale(h)).toBeCloseTo((2 + 0) / 2, 12);
    expect(maseScale(h.slice(0, 8))).toBeNaN();
  });

  it('RMSSE denominator is the mean squared first difference', () => {
    expect(rmsseScale([1, 3, 0])).toBeCloseTo((4 + 9) / 2, 12);
    expect(rmsseScale([5])).toBeNaN();
  });

  it('quantiles interpolate linearly (numpy type 7)', () => {
    const s = [0, 1, 2, 10];
    expect(quantileSorted(s, 0.5)).toBeCloseTo(1.5, 12);
    expect(quantileSorted(s, 0.9)).toBeCloseTo(2 + 0.7 * 8, 12);
    expect(quantileSorted([], 0.5)).toBe(0);
  });
});
