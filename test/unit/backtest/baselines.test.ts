import { NewProductBaselines, mean28Baseline, seasonalNaiveBaseline, weekdayQuantilesBaseline } from '../../../shared/backtest/baselines';
import { buildRetail, isoToDay } from '../../../shared/backtest/online-retail';
import { buildWindow } from '../../../shared/backtest/windows';
import { row } from './online-retail.test';

describe('established baselines', () => {
  const h = Array.from({ length: 70 }, (_, t) => t % 7); // last value (origin) is 69 % 7 = 6

  it('seasonal_naive repeats the 7 days before the origin (origin excluded)', () => {
    const f = seasonalNaiveBaseline(h, 9);
    expect(f.p50).toEqual([6, 0, 1, 2, 3, 4, 5, 6, 0]); // h[62..68] = 6,0,..,5, then again
    expect(f.p10).toEqual(f.p50);
    expect(seasonalNaiveBaseline([4, 5], 3).p50).toEqual([0, 0, 0]); // padded with the zeros before the first sale
  });

  it('mean28 is flat over the last 28 days', () => {
    expect(mean28Baseline(h, 2).p50).toEqual([3, 3]);
    expect(mean28Baseline([28], 1).p90).toEqual([1]); // a 1-day history still divides by 28
  });

  it('weekday_quantiles takes the same weekday over the last 8 weeks, interpolated', () => {
    const y = Array.from({ length: 56 }, (_, t) => (t % 7 === 0 ? t / 7 : 0)); // day 0 of each week: 0..7
    const f = weekdayQuantilesBaseline(y, 8);
    // Step 1 is index 56, same weekday as 49, 42, ..., 0: values 0..7
    expect(f.p10[0]).toBeCloseTo(0.7, 12);
    expect(f.p50[0]).toBeCloseTo(3.5, 12);
    expect(f.p90[0]).toBeCloseTo(6.3, 12);
    expect(f.p90[1]).toBe(0);
    expect(f.p50[7]).toBeCloseTo(3.5, 12); // step 8: same weekday again
    expect(weekdayQuantilesBaseline([], 2).p90).toEqual([0, 0]);
  });
});

describe('windows and new-product baselines on a tiny dataset', () => {
  it('splits established / new / references and draws deciles from the references', async () => {
    const rows = [
      row('20000', '2011-06-01 10:00', 1, 1), // keeps the file span wide
      row('20000', '2011-09-20 10:00', 1, 1),
      ...Array.from({ length: 28 }, (_, i) => row('10001', `2011-07-${String(1 + (i % 28)).padStart(2, '0')} 10:00`, i % 2 ? 4 : 0, 1)),
      ...Array.from({ length: 28 }, (_, i) => row('10002', `2011-07-${String(1 + (i % 28)).padStart(2, '0')} 10:00`, 10, 10)),
      row('10003', '2011-08-10 10:00', 5, 10), // established, but its first 28 days end after the origin
      row('10004', '2011-08-20 10:00', 7, 9, 'NEW THING'), // new in the window after 2011-08-14
    ];
    const d = await buildRetail(rows.filter((r) => r.quantity > 0));
    const w = buildWindow(d, '2011-08-14');
    expect(w.established.map((e) => e.sku)).toEqual(['10001', '10002', '10003', '20000']);
    expect(w.references.map((r) => r.sku).sort()).toEqual(['10001', '10002', '20000']);
    expect(w.fresh.map((f) => f.sku)).toEqual(['10004']);
    expect(w.fresh[0].text).toBe('NEW THING');
    expect(w.fresh[0].price).toBe(9);
    expect(w.fresh[0].actual[isoToDay('2011-08-20') - isoToDay('2011-08-15')]).toBe(7);

    const b = new NewProductBaselines(w.references);
    // Pooled first-28-day demand: 10001 (first sale 07-02: 4,0,4,..), 10002 (28 x 10), 20000 (1, then 0s).
    expect(b.flat(1).p50[0]).toBeCloseTo((14 * 4 + 28 * 10 + 1) / 84, 12);
    expect(b.decile(9)).toBe(b.decile(10)); // 9 and 10 both above the 10001/20000 prices
    const high = b.priceDecileQuantiles(9, 1);
    expect(high.p10[0]).toBe(10); // only 10002 (price 10) in that decile
  });
});
