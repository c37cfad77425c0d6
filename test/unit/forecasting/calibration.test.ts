import { CalibratedModel } from '../../../shared/forecasting/calibrated';
import { CalibrationSamples, closedWeekdays, demandShape } from '../../../shared/forecasting/calibration';
import type { SeriesInput } from '../../../shared/forecasting/model';
import { DAY_MS, mulberry32, stepWeekday } from '../../../shared/forecasting/series';

const START = Date.UTC(2011, 0, 2); // a Sunday
const meanModel = { name: 'mean', point: (h: Float64Array, n: number) => new Float64Array(n).fill(h.reduce((a, b) => a + b, 0) / h.length) };

/** Series of i.i.d. exponential demand with a per-series mean; Saturdays closed (0). */
function exponentialSeries(count: number, days: number, seed: number): SeriesInput[] {
  const rand = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => {
    const mu = 1 + (i % 10);
    const history = Float64Array.from({ length: days }, (_, t) => ((t + 0) % 7 === 6 ? 0 : -mu * Math.log(1 - rand())));
    return { sku: `S${i}`, history, startTime: START, bucketMs: DAY_MS };
  });
}

describe('calibrated quantiles', () => {
  it('the pinball-optimal multiplier is the weighted quantile of y / base', () => {
    const s = new CalibrationSamples();
    const sunday: SeriesInput = { sku: 'x', history: new Float64Array(7), startTime: START - 7 * DAY_MS, bucketMs: DAY_MS };
    // Step 1 of a series whose history ends on Saturday falls on Sunday: 200 samples, y = 1..200, base 1.
    for (let i = 1; i <= 200; i++) s.add([[1], [1], [1]], [i], sunday);
    const cal = s.learn();
    expect(cal.at(0, 0)).toBe(20);
    expect(cal.at(0, 1)).toBe(100);
    expect(cal.at(0, 2)).toBe(180);
  });

  it('detects closed weekdays and leaves them out of the demand shape', () => {
    const series = exponentialSeries(20, 84, 1);
    const closed = closedWeekdays(series);
    expect(closed).toEqual([false, false, false, false, false, false, true]); // Saturday
    const [s10, s50, s90] = demandShape(series[0], closed);
    // Exponential: quantile / mean = -ln(1 - q)
    expect(s10).toBeGreaterThan(0.02);
    expect(s50).toBeGreaterThan(0.4);
    expect(s90).toBeGreaterThan(1.5);
  });

  it('recovers exponential quantiles and covers ~80% of fresh data; Saturdays forecast 0', async () => {
    const all = exponentialSeries(400, 140 + 28, 2);
    const train = all.map((s) => ({ ...s, history: (s.history as Float64Array).subarray(0, 140) }));
    const model = new CalibratedModel(meanModel);
    await model.fit(train);
    const f = await model.forecast(train, 28);
    let covered = 0;
    let points = 0;
    all.forEach((s, i) => {
      for (let h = 0; h < 28; h++) {
        const y = s.history[140 + h];
        if (stepWeekday(train[i], h + 1) === 6) {
          expect(f[i].p90[h]).toBe(0);
          continue;
        }
        points++;
        if (f[i].p10[h] <= y && y <= f[i].p90[h]) covered++;
      }
    });
    expect(covered / points).toBeGreaterThan(0.75);
    expect(covered / points).toBeLessThan(0.85);
    const mu = 1 + (3 % 10); // series 3
    const monday = [...Array(28).keys()].find((h) => stepWeekday(train[3], h + 1) === 1)!;
    expect(f[3].p50[monday] / mu).toBeGreaterThan(0.693 * 0.75);
    expect(f[3].p50[monday] / mu).toBeLessThan(0.693 * 1.25);
    expect(f[3].p90[monday] / mu).toBeGreaterThan(2.303 * 0.8);
    expect(f[3].p90[monday] / mu).toBeLessThan(2.303 * 1.2);
  });

  it('without fit, forecast calibrates on the batch itself', async () => {
    const batch = exponentialSeries(200, 140, 3);
    const a = await new CalibratedModel(meanModel).forecast(batch, 7);
    const m = new CalibratedModel(meanModel);
    await m.fit(batch);
    expect(await m.forecast(batch, 7)).toEqual(a);
  });
});
