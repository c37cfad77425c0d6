import { rmsseScale, scoreSegment } from '../../../shared/backtest/metrics';
import { flatten, greedySelect, pinballLoss, rmsseLoss, rmsseScaleOf, validationSet } from '../../../shared/forecasting/ensemble-weights';
import type { QuantileForecast } from '../../../shared/forecasting/model';
import { mulberry32 } from '../../../shared/forecasting/series';

const rand = mulberry32(7);
const row = <T>(n: number, f: () => T): T[] => Array.from({ length: n }, f);
const flat = (p50: number[]): QuantileForecast => ({ p10: p50.map((v) => v / 2), p50, p90: p50.map((v) => v * 2) });

describe('ensemble validation losses', () => {
  const actual = row(6, () => row(28, () => (rand() < 0.6 ? 0 : Math.floor(rand() * 20))));
  const histories = row(6, () => row(40, () => Math.floor(rand() * 10)));
  const forecasts = row(6, () => flat(row(28, () => rand() * 8)));
  const v = validationSet(actual, histories.map(rmsseScaleOf));

  it('rmsseScaleOf is the metric module\'s RMSSE scale', () => {
    for (const h of histories) expect(rmsseScaleOf(h)).toBeCloseTo(rmsseScale(h), 12);
    expect(rmsseScaleOf([3])).toBeNaN();
  });

  it('rmsseLoss and pinballLoss reproduce the backtest metrics on the same points', () => {
    const s = scoreSegment(actual.map((a, i) => ({ actual: a, forecast: forecasts[i], rmsseScale: rmsseScale(histories[i]) })));
    const [p10, p50, p90] = (['p10', 'p50', 'p90'] as const).map((k) => flatten([forecasts], k, 28)[0]);
    expect(rmsseLoss(v)(p50)).toBeCloseTo(s.rmsse, 12);
    const wql = (2 * (pinballLoss(v, 0.1)(p10) + pinballLoss(v, 0.5)(p50) + pinballLoss(v, 0.9)(p90))) / 3 / v.total;
    expect(wql).toBeCloseTo(s.wql, 12);
  });

  it('rejects actuals of different lengths', () => {
    expect(() => validationSet([[1, 2], [1]])).toThrow(/product 1 has 1/);
  });
});

describe('greedySelect', () => {
  const y = Float64Array.from([5, 5, 5, 5]);
  const sq = (p: Float64Array) => p.reduce((a, x, j) => a + (x - y[j]) ** 2, 0);

  it('averages two candidates that err in opposite directions', () => {
    expect(greedySelect([Float64Array.from([4, 4, 4, 4]), Float64Array.from([6, 6, 6, 6])], sq, 10)).toEqual([0.5, 0.5]);
  });

  it('finds a 3:1 mix when that is the optimum', () => {
    // 0.75 * 4 + 0.25 * 8 = 5
    expect(greedySelect([Float64Array.from([4, 4, 4, 4]), Float64Array.from([8, 8, 8, 8])], sq, 20)).toEqual([0.75, 0.25]);
  });

  it('keeps the earlier candidate on a tie', () => {
    const c = Float64Array.from([5, 5, 5, 5]);
    expect(greedySelect([c, Float64Array.from(c)], sq, 4)).toEqual([1, 0]);
  });
});
