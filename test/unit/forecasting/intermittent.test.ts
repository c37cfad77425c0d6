import { CrostonForecaster, TsbForecaster, croston, tsb } from '../../../shared/forecasting/intermittent';

const Y = [0, 0, 3, 0, 5, 0, 0, 0, 2];

describe('Croston, SBA, TSB against hand computation (alpha = beta = 0.5)', () => {
  it('Croston: sizes 3 -> 4 -> 3, intervals 3 -> 2.5 -> 3.25', () => {
    const s = croston(Y, 0.5)!;
    expect(s.size).toBeCloseTo(3, 12);
    expect(s.interval).toBeCloseTo(3.25, 12);
    expect(s.size / s.interval).toBeCloseTo(0.923077, 6);
    // one-step errors from t=3: -1, 4, -1.6, -1.6, -1.6, 0.4
    expect(s.sse).toBeCloseTo(1 + 16 + 3 * 2.56 + 0.16, 12);
  });

  it('SBA is Croston times (1 - alpha/2)', () => {
    const c = new CrostonForecaster('croston').point(Float64Array.from(Y), 2);
    const sba = new CrostonForecaster('sba').point(Float64Array.from(Y), 2);
    expect(sba[0] / c[0]).toBeGreaterThanOrEqual(1 - 0.3 / 2 - 1e-12);
    expect(sba[0] / c[0]).toBeLessThan(1);
    expect(c[0]).toBe(c[1]);
  });

  it('TSB: probability 1/3 -> 1/6 -> 7/12 -> ... -> 103/192, size 3 -> 4 -> 3', () => {
    const s = tsb(Y, 0.5, 0.5)!;
    expect(s.prob).toBeCloseTo(103 / 192, 12);
    expect(s.size).toBeCloseTo(3, 12);
    expect(s.prob * s.size).toBeCloseTo(1.609375, 12);
  });

  it('TSB decays towards zero when sales stop; Croston does not', () => {
    const y = Float64Array.from([...new Array(60).fill(0).map((_, t) => (t % 3 === 0 ? 6 : 0)), ...new Array(60).fill(0)]);
    const live = new TsbForecaster().point(y.subarray(0, 60), 1)[0];
    const dead = new TsbForecaster().point(y, 1)[0];
    expect(dead).toBeLessThan(live / 2);
    expect(new CrostonForecaster().point(y, 1)[0]).toBeCloseTo(new CrostonForecaster().point(y.subarray(0, 60), 1)[0], 6);
  });

  it('a series that never sold forecasts 0', () => {
    expect(croston([0, 0], 0.1)).toBeUndefined();
    expect(Array.from(new TsbForecaster().point(new Float64Array(5), 2))).toEqual([0, 0]);
  });
});
