import { EtsForecaster, etsFilter, etsForecast, fitEts } from '../../../shared/forecasting/ets';
import { gaussian, mulberry32 } from '../../../shared/forecasting/series';

describe('ETS / Holt-Winters', () => {
  it('ETS(A,N,A) recursions match a hand computation (period 2)', () => {
    // y = 4, 6, 5, 8; l0 = 5, s = [-1, 1]. e = 0, 0, 1, 1.5; l = 5, 5, 5.5, 6.25; s0 -> -0.5, s1 -> 1.75.
    const p = { trend: 'N' as const, alpha: 0.5, beta: 0, gamma: 0.5, phi: 1 };
    const f = etsFilter([4, 6, 5, 8], p, 2);
    expect(f.level).toBeCloseTo(6.25, 12);
    expect(Array.from(f.season)).toEqual([-0.5, 1.75]);
    expect(f.sse).toBeCloseTo(3.25, 12);
    const fc = etsForecast({ ...f, params: p, aic: 0 }, 3);
    expect(Array.from(fc)).toEqual([5.75, 8, 5.75]);
  });

  it('continues a noiseless weekly pattern exactly and picks no trend by AIC', () => {
    const s = [0, 2, 4, -1, -3, 1, -3];
    const y = Float64Array.from({ length: 56 }, (_, t) => 10 + s[t % 7]);
    const fit = fitEts(y);
    expect(fit.params.trend).toBe('N');
    const fc = etsForecast(fit, 14);
    for (let h = 0; h < 14; h++) expect(fc[h]).toBeCloseTo(10 + s[(56 + h) % 7], 9);
  });

  it('chooses a trend model on a trending seasonal series and forecasts it', () => {
    const rand = gaussian(mulberry32(7));
    const s = [0, 2, 4, -1, -3, 1, -3];
    const truth = (t: number) => 20 + 0.3 * t + s[t % 7];
    const y = Float64Array.from({ length: 112 }, (_, t) => truth(t) + 0.3 * rand());
    const fit = fitEts(y);
    expect(fit.params.trend).not.toBe('N');
    const fc = new EtsForecaster().point(y, 14);
    for (let h = 0; h < 14; h++) expect(Math.abs(fc[h] - truth(112 + h))).toBeLessThan(2);
    // The no-trend model's AIC is worse on this series.
    expect(fitEts(y, ['N']).aic).toBeGreaterThan(fit.aic);
  });
});
