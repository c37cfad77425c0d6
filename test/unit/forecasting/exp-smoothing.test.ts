import { holtFilter } from '../../../shared/domain/smoothing';
import { HoltForecaster, SesForecaster, fitHolt, holtSse, holtSseInline } from '../../../shared/forecasting/exp-smoothing';
import { mulberry32 } from '../../../shared/forecasting/series';

describe('SES and Holt on hand-computed series', () => {
  it('SES, alpha 0.5, level initialised at the first-week mean', () => {
    // y = 2, 4, 6; l0 = 4; l1 = 3, l2 = 3.5, l3 = 4.75; one-step errors -2, 1, 2.5.
    const r = holtSse([2, 4, 6], { alpha: 0.5, beta: 0 });
    expect(r.state.level).toBeCloseTo(4.75, 12);
    expect(r.state.trend).toBe(0);
    expect(r.sse).toBeCloseTo(11.25, 12);
  });

  it("Holt, alpha = beta = 0.5", () => {
    // y = 1, 3, 5; l0 = 3, b0 = 0
    // t1: pred 3, l = 2, b = -0.5; t2: pred 1.5, l = 2.25, b = -0.125; t3: pred 2.125, l = 3.5625, b = 0.59375
    const r = holtSse([1, 3, 5], { alpha: 0.5, beta: 0.5 });
    expect(r.state.level).toBeCloseTo(3.5625, 12);
    expect(r.state.trend).toBeCloseTo(0.59375, 12);
    expect(r.sse).toBeCloseTo(4 + 2.25 + 8.265625, 12);
    // It is the streaming filter's step: holtFilter from the same state gives the same state.
    expect(holtFilter([1, 3, 5], { alpha: 0.5, beta: 0.5 }, { level: 3, trend: 0 })).toEqual(r.state);
  });

  it('the inlined grid-search SSE is exactly the holtStep SSE', () => {
    const rand = mulberry32(3);
    const y = Array.from({ length: 200 }, () => (rand() < 0.3 ? Math.floor(rand() * 20) : 0));
    for (const [alpha, beta] of [[0.05, 0.01], [0.4, 0.15], [0.2, 0]]) {
      expect(holtSseInline(y, alpha, beta, 2, 0.1)).toBe(holtSse(y, { alpha, beta }, { level: 2, trend: 0.1 }).sse);
    }
  });

  it('the grid search picks the SSE-minimising parameters', () => {
    // A level shift: a large alpha tracks it best.
    const y = [...new Array(20).fill(1), ...new Array(20).fill(10)];
    const fit = fitHolt(y, [0.05, 0.5, 0.9], [0]);
    expect(fit.params.alpha).toBe(0.9);
    for (const a of [0.05, 0.5]) expect(holtSse(y, { alpha: a, beta: 0 }).sse).toBeGreaterThan(fit.sse);
  });

  it('forecasts: SES flat at the level, Holt extrapolates a clean trend', () => {
    const line = Float64Array.from({ length: 60 }, (_, t) => 2 + 0.5 * t);
    const ses = new SesForecaster().point(line, 3);
    expect(ses[0]).toBe(ses[2]);
    const holt = new HoltForecaster().point(line, 10);
    expect(holt[9]).toBeCloseTo(2 + 0.5 * 69, 0);
    expect(holt[9] - holt[0]).toBeCloseTo(4.5, 1);
  });
});
