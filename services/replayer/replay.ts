import { codecFor } from '../../shared/avro/codec';
import type { ListingEvent, OrderEvent } from '../../shared/domain/events';
import type { OutboundMessage, Publisher, Topics } from '../../shared/adapters/transport';
import { readRetailRows, type RetailRow } from '../../shared/backtest/online-retail';
import { RetailEventBuilder, sortRows, type ReplayStats } from '../../shared/replay/retail-events';

export interface ReplayOptions {
  file: string;
  topics: Topics;
  publisher: Publisher;
  /** Event time per wall time: 86400 = a day per second; 0 = as fast as the broker takes it. */
  speed: number;
  batchSize: number;
  /** Stop after this many rows (0 = all). */
  limit: number;
  onProgress?: (done: number, total: number, eventTime: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Publishes an Online Retail file as listing and order events in event-time order. Listings of a
 * batch go out before its orders, so a product's listing is stored by the time its orders are.
 */
export async function replay(o: ReplayOptions): Promise<ReplayStats & { seconds: number }> {
  const rows: RetailRow[] = [];
  for await (const r of readRetailRows(o.file)) {
    rows.push(r);
    if (o.limit > 0 && rows.length >= o.limit) break;
  }
  const sorted = sortRows(rows);
  const builder = new RetailEventBuilder();
  const orderCodec = codecFor<OrderEvent>('order');
  const listingCodec = codecFor<ListingEvent>('listing');
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const started = Date.now();
  const t0 = sorted[0]?.time ?? 0;
  for (let i = 0; i < sorted.length; i += o.batchSize) {
    const batch = sorted.slice(i, i + o.batchSize);
    if (o.speed > 0) {
      const due = started + (batch[0].time - t0) / o.speed;
      if (due > Date.now()) await sleep(due - Date.now());
    }
    const orders: OutboundMessage[] = [];
    const listings: OutboundMessage[] = [];
    for (const ev of batch.flatMap((r) => builder.fromRow(r))) {
      if (ev.kind === 'order') orders.push({ key: ev.event.sku, value: orderCodec.encode(ev.event) });
      else listings.push({ key: ev.event.sku, value: listingCodec.encode(ev.event) });
    }
    await o.publisher.publish(o.topics.listings, listings);
    await o.publisher.publish(o.topics.orders, orders);
    o.onProgress?.(i + batch.length, sorted.length, batch[batch.length - 1].time);
  }
  return { ...builder.stats, seconds: (Date.now() - started) / 1000 };
}
