/** The bidding rule of the ad-bidding example (shared/domain/bidding.ts). */
import { bidMultiplier, checkBiddingParams, DEFAULT_BIDDING } from '../../../shared/domain/bidding';
import type { Trend, TrendDirection } from '../../../shared/domain/events';

function trend(direction: TrendDirection, slope: number, p90PerBucket = 10): Pick<Trend, 'sku' | 'direction' | 'slope' | 'horizon'> {
  return { sku: 'S1', direction, slope, horizon: Array.from({ length: 14 }, (_, i) => ({ step: i + 1, bucketStart: i, p10: 0, p50: p90PerBucket / 2, p90: p90PerBucket })) };
}

describe('bid multipliers', () => {
  test('rising demand with enough stock bids up by exp(k W slope)', () => {
    const b = bidMultiplier(trend('RISING', 0.05), 1000);
    expect(b.multiplier).toBeCloseTo(Math.exp(0.35), 12);
    expect(b).toMatchObject({ reason: 'rising', cover: 1000 / 70 });
  });

  test('falling demand bids down, symmetric to rising in log space', () => {
    const up = bidMultiplier(trend('RISING', 0.05), null).multiplier;
    const down = bidMultiplier(trend('FALLING', -0.05), null).multiplier;
    expect(down).toBeLessThan(1);
    expect(up * down).toBeCloseTo(1, 12);
  });

  test('a flat trend is neutral whatever its small slope', () => {
    expect(bidMultiplier(trend('FLAT', 0.009), 1000).multiplier).toBe(1);
  });

  test('the multiplier is clamped to [min, max]', () => {
    expect(bidMultiplier(trend('RISING', 0.4), null).multiplier).toBe(2);
    expect(bidMultiplier(trend('FALLING', -0.4), null).multiplier).toBe(0.5);
    expect(bidMultiplier(trend('RISING', 0.4), null, { ...DEFAULT_BIDDING, max: 3 }).multiplier).toBe(3);
    expect(bidMultiplier(trend('RISING', 0.4), null).momentum).toBeCloseTo(Math.exp(2.8), 9);
  });

  test('rising demand beyond the stock is not bid up: scaled down by the cover', () => {
    const b = bidMultiplier(trend('RISING', 0.05), 56); // 56 / 70 = 0.8 of the p90 demand of 7 days
    expect(b).toMatchObject({ reason: 'stock-limited' });
    expect(b.cover).toBeCloseTo(0.8, 12);
    expect(b.multiplier).toBeCloseTo(0.8, 12);
    expect(bidMultiplier(trend('FALLING', -0.02), 56).multiplier).toBeCloseTo(Math.exp(-0.14) * 0.8, 12);
    expect(bidMultiplier(trend('RISING', 0.05), 0).multiplier).toBe(0.5);
  });

  test('unknown stock or no forecast demand leaves only the trend', () => {
    expect(bidMultiplier(trend('RISING', 0.05), null).cover).toBeNull();
    const none = bidMultiplier(trend('RISING', 0.05, 0), 0);
    expect(none.cover).toBeNull();
    expect(none.multiplier).toBeCloseTo(Math.exp(0.35), 12);
  });

  test('bad parameters are refused, naming the value', () => {
    expect(() => checkBiddingParams({ ...DEFAULT_BIDDING, lookaheadBuckets: 0 })).toThrow(/lookaheadBuckets 0/);
    expect(() => checkBiddingParams({ ...DEFAULT_BIDDING, min: 1.2 })).toThrow(/\[1.2, 2\]/);
    expect(checkBiddingParams(DEFAULT_BIDDING)).toBe(DEFAULT_BIDDING);
  });
});
