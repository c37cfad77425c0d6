/** Events of the bundled Online Retail sample, and the order state they must leave, recomputed alone. */
import * as path from 'path';
import type { ListingEvent, OrderEvent } from '../../../shared/domain/events';
import type { ProductSnapshot, SeriesSettings } from '../../../shared/domain/state';
import { holtFilter } from '../../../shared/domain/smoothing';
import { readRetailRows } from '../../../shared/backtest/online-retail';
import { RetailEventBuilder, sortRows } from '../../../shared/replay/retail-events';
import { ROOT } from './services';

/** The orders and listings of the first `products` products (by sku) of the sample, in event-time order. */
export async function fixtureEvents(products: number) {
  const rows = [];
  for await (const r of readRetailRows(path.join(ROOT, 'test/fixtures/online-retail/sample.csv'))) rows.push(r);
  const b = new RetailEventBuilder();
  const all = sortRows(rows).flatMap((r) => b.fromRow(r));
  const skus = [...new Set(all.map((e) => e.event.sku))].sort().slice(0, products);
  const keep = new Set(skus);
  return {
    skus,
    orders: all.filter((e) => e.kind === 'order' && keep.has(e.event.sku)).map((e) => e.event as OrderEvent),
    listings: all.filter((e) => e.kind === 'listing' && keep.has(e.event.sku)).map((e) => e.event as ListingEvent),
  };
}

/**
 * Checks a product's stored order state against its own orders (each counted once): the bucket
 * sums, Holt's level and trend over them for the store's settings, and the number of events.
 */
export function expectOrderState(snap: ProductSnapshot, mine: OrderEvent[], s: SeriesSettings): void {
  const sums = new Map<number, number>();
  for (const o of mine) sums.set(Math.floor(o.eventTime / s.bucketMs), (sums.get(Math.floor(o.eventTime / s.bucketMs)) ?? 0) + o.quantity);
  const first = Math.min(...sums.keys());
  const last = Math.max(...sums.keys());
  const expected = Array.from({ length: last - first + 1 }, (_, i) => sums.get(first + i) ?? 0);
  expect(snap.demand).toEqual({ oldest: first, latest: last, values: expected });
  const ref = holtFilter(expected, s);
  expect(snap.smoothing!.level).toBeCloseTo(ref.level, 8);
  expect(snap.smoothing!.trend).toBeCloseTo(ref.trend, 8);
  expect(snap.orderEvents).toBe(mine.length);
}
