import type { Trend } from './events';

/**
 * Bid multipliers from trends, for an ad-bidding service: spend more on products whose demand is
 * rising and that can be delivered, less on falling ones and on those about to run out.
 *
 *   g = exp(k * W * clamp(slope, -0.5, 0.5))   for RISING / FALLING, 1 for FLAT
 *   cover = (onHand + onOrder) / sum of p90 over the next W buckets     (when stock and demand are known)
 *   m = g                       when the stock is unknown, there is no demand, or cover >= 1
 *   m = min(g, 1) * cover       when cover < 1: demand beyond the stock is not worth buying
 *   multiplier = clamp(m, min, max)                                    (default 0.5 .. 2.0)
 *
 * slope is the trend's relative Holt slope per bucket, W the lookahead in buckets (default 7) and k
 * the sensitivity (default 1): a product growing 5 % a day gets exp(0.35) = 1.42, one shrinking
 * 5 % a day 1 / 1.42 = 0.70. The exponential makes rises and falls symmetric: g(s) * g(-s) = 1.
 */
export interface BiddingParams {
  lookaheadBuckets: number;
  sensitivity: number;
  min: number;
  max: number;
}

export const DEFAULT_BIDDING: BiddingParams = { lookaheadBuckets: 7, sensitivity: 1, min: 0.5, max: 2 };

export interface Bid {
  sku: string;
  multiplier: number;
  /** The trend part g before the stock and the clamp. */
  momentum: number;
  /** Stock over p90 demand in the lookahead; null when either is unknown. */
  cover: number | null;
  reason: 'rising' | 'falling' | 'flat' | 'stock-limited';
}

export function checkBiddingParams(p: BiddingParams): BiddingParams {
  if (!Number.isInteger(p.lookaheadBuckets) || p.lookaheadBuckets < 1) throw new Error(`lookaheadBuckets ${p.lookaheadBuckets} must be a positive integer`);
  if (!(p.sensitivity >= 0)) throw new Error(`sensitivity ${p.sensitivity} must be >= 0`);
  if (!(p.min > 0 && p.min <= 1 && p.max >= 1)) throw new Error(`bid range [${p.min}, ${p.max}] must hold 1 and be above 0`);
  return p;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** The multiplier for one trend; `available` = onHand + onOrder, or null when the stock is not known. */
export function bidMultiplier(t: Pick<Trend, 'sku' | 'direction' | 'slope' | 'horizon'>, available: number | null, p: BiddingParams = DEFAULT_BIDDING): Bid {
  const momentum = t.direction === 'FLAT' ? 1 : Math.exp(p.sensitivity * p.lookaheadBuckets * clamp(t.slope, -0.5, 0.5));
  const demand = t.horizon.slice(0, p.lookaheadBuckets).reduce((s, h) => s + h.p90, 0);
  const cover = available !== null && demand > 0 ? Math.max(0, available) / demand : null;
  const limited = cover !== null && cover < 1;
  const m = limited ? Math.min(momentum, 1) * cover : momentum;
  const reason = limited ? 'stock-limited' : t.direction === 'RISING' ? 'rising' : t.direction === 'FALLING' ? 'falling' : 'flat';
  return { sku: t.sku, multiplier: clamp(m, p.min, p.max), momentum, cover, reason };
}
