import { bidMultiplier, type Bid, type BiddingParams } from '../../shared/domain/bidding';
import type { Trend } from '../../shared/domain/events';
import type { TrendMeta } from '../../shared/clients/trends';

/** Stock of a product (onHand + onOrder), or null when it is not known. */
export type StockLookup = (sku: string) => Promise<number | null>;

export interface BidLine extends Bid {
  direction: Trend['direction'];
  slope: number;
  category: string | null;
  basedOnEventTime: string;
  schema: TrendMeta['via'];
}

/**
 * Turns each trend into a bid multiplier and hands it on (here: one JSON line on stdout, where a
 * real service would update its bidder). Keeps the newest trend per product, so a redelivered or
 * out-of-date trend does not overwrite a newer bid.
 */
export function bidHandler(params: BiddingParams, stockOf: StockLookup, emit: (line: BidLine) => void) {
  const newest = new Map<string, number>();
  return async (t: Trend, meta: TrendMeta): Promise<BidLine | null> => {
    if ((newest.get(t.sku) ?? -Infinity) >= t.generatedAt) return null;
    newest.set(t.sku, t.generatedAt);
    const bid = bidMultiplier(t, await stockOf(t.sku), params);
    const line: BidLine = { ...bid, direction: t.direction, slope: t.slope, category: t.category, basedOnEventTime: new Date(t.basedOnEventTime).toISOString(), schema: meta.via };
    emit(line);
    return line;
  };
}
