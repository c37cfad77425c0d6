/** Events of the bundled Online Retail sample, and the order state they must leave, recomputed alone. */
import * as path from 'path';
import { codecFor } from '../../../shared/avro/codec';
import type { ListingEvent, OrderEvent } from '../../../shared/domain/events';
import type { ProductSnapshot, SeriesSettings, StateStore } from '../../../shared/domain/state';
import { holtFilter } from '../../../shared/domain/smoothing';
import { readRetailRows } from '../../../shared/backtest/online-retail';
import { RetailEventBuilder, sortRows } from '../../../shared/replay/retail-events';
import { kafka, produce } from './kafka';
import { plainDemand } from './redis';
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
  expect(plainDemand(snap.demand)).toEqual({ oldest: first, latest: last, values: expected });
  const ref = holtFilter(expected, s);
  expect(snap.smoothing!.level).toBeCloseTo(ref.level, 8);
  expect(snap.smoothing!.trend).toBeCloseTo(ref.trend, 8);
  expect(snap.orderEvents).toBe(mine.length);
}

/** Every product's stored order state is exactly what `events` (each counted once) give. */
export async function expectExactOrderState(store: StateStore, events: OrderEvent[], s: SeriesSettings): Promise<void> {
  const bySku = new Map<string, OrderEvent[]>();
  for (const o of events) bySku.set(o.sku, [...(bySku.get(o.sku) ?? []), o]);
  const snaps = await store.read([...bySku.keys()]);
  for (const snap of snaps) expectOrderState(snap, bySku.get(snap.sku)!, s);
}

/** Events applied by the order consumer so far, over these products. */
export async function appliedOrders(store: StateStore, skus: string[]): Promise<number> {
  return (await store.read(skus)).reduce((n, s) => n + s.orderEvents, 0);
}

const orderCodec = codecFor<OrderEvent>('order');

/** Produces orders keyed by product in parts, so the topic holds many record batches (a fetch then returns a part). */
export async function produceOrders(topic: string, events: OrderEvent[], client = kafka, part = 500): Promise<void> {
  for (let i = 0; i < events.length; i += part) await produce(topic, events.slice(i, i + part).map((e) => ({ key: e.sku, value: orderCodec.encode(e) })), client);
}
