import { CROSTON_ALPHAS, CrostonForecaster, TSB_ALPHAS, TSB_BETAS, TsbForecaster, bestCroston, bestTsb, croston, tsb } from '../../../shared/forecasting/intermittent';

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

describe('the grid fits in one pass equal the recursions run per parameter', () => {
  // seeded intermittent series of several shapes, plus ties: a single sale (every alpha has the same SSE)
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const cases: number[][] = Array.from({ length: 40 }, (_, i) => Array.from({ length: 20 + 9 * i }, () => (rand() < 0.1 + (i % 5) * 0.15 ? Math.floor(1 + rand() * (i % 3 === 0 ? 40 : 5)) : 0)));
  cases.push([0, 0, 4, 0, 0], [0, 0, 0], [2], [1, 1, 1, 1]);

  it('bestCroston: the first alpha of least SSE, and its state, bit for bit', () => {
    for (const y of cases) {
      let want: { alpha: number; state: NonNullable<ReturnType<typeof croston>> } | undefined;
      for (const alpha of CROSTON_ALPHAS) {
        const state = croston(y, alpha);
        if (state && (!want || state.sse < want.state.sse)) want = { alpha, state };
      }
      expect(bestCroston(y)).toEqual(want);
    }
  });

  it('bestTsb: the first (alpha, beta) of least SSE, alpha-major, and its state, bit for bit', () => {
    const chosen = new Set<string>();
    for (const y of cases) {
      let want: { alpha: number; beta: number; state: NonNullable<ReturnType<typeof tsb>> } | undefined;
      for (const alpha of TSB_ALPHAS) {
        for (const beta of TSB_BETAS) {
          const state = tsb(y, alpha, beta);
          if (state && (!want || state.sse < want.state.sse)) want = { alpha, beta, state };
        }
      }
      expect(bestTsb(y)).toEqual(want);
      if (want) chosen.add(`${want.alpha}/${want.beta}`);
    }
    // the cases reach several grid points, so an index mix-up between alpha and beta would show
    expect(chosen.size).toBeGreaterThan(3);
  });
});
