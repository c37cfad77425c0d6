import { codecFor } from '../../shared/avro/codec';
import type { ListingEvent, OrderEvent, OrderFacts, Trend } from '../../shared/domain/events';
import type { SeriesSettings } from '../../shared/domain/state';
import { MemoryBus } from '../../shared/adapters/memory/bus';
import { MemoryStateStore } from '../../shared/adapters/memory/state-store';
import { createStage } from '../../shared/adapters/stage';
import { topicNames } from '../../shared/adapters/transport';
import type { Embedder } from '../../shared/embedding';
import type { Logger } from '../../shared/log';
import { readRetailRows } from '../../shared/backtest/online-retail';
import { RetailEventBuilder, sortRows } from '../../shared/replay/retail-events';
import type { ValidationLimits } from '../../shared/domain/validation';
import { orderConsumer, orderHandler } from '../order-consumer/handler';
import { listingHandler } from '../listing-consumer/handler';
import { ForecastJob, type ModelSource } from '../forecaster/job';

export interface DemoOptions {
  file: string;
  embedder: Embedder;
  model: ModelSource;
  settings: SeriesSettings;
  limits: ValidationLimits;
  horizon: number;
  flatBand: number;
  log: Logger;
  onProgress?: (done: number, total: number) => void;
}

export interface DemoResult {
  events: { orders: number; listings: number; skipped: number };
  trends: Trend[];
  dlq: number;
  titles: Map<string, string>;
}

/**
 * The embedded default: the production handlers and forecaster job on an in-memory bus and state,
 * fed with the bundled Online Retail sample, Avro-encoded exactly as on Kafka.
 */
export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const topics = topicNames('');
  const bus = new MemoryBus(2000);
  const store = new MemoryStateStore(o.settings);
  const retry = { retries: 2, initialMs: 10, maxMs: 50 };
  const orders = orderHandler(store, o.limits);
  const listings = listingHandler(store, o.embedder, o.limits);
  await bus.subscribe({ groupId: 'listing-consumer', topics: [topics.listings], fromBeginning: true },
    createStage<ListingEvent>({ codec: codecFor('listing'), validate: listings.validate, handle: listings.handle, dlq: bus, retry, log: o.log }));
  await bus.subscribe({ groupId: 'order-consumer', topics: [topics.orders], fromBeginning: true },
    createStage<OrderFacts>({ codec: codecFor('order', false, orderConsumer.fields), validate: orders.validate, handle: orders.handle, dlq: bus, retry, log: o.log }));

  const rows = [];
  for await (const r of readRetailRows(o.file)) rows.push(r);
  const builder = new RetailEventBuilder();
  const sorted = sortRows(rows);
  const orderCodec = codecFor<OrderEvent>('order');
  const listingCodec = codecFor<ListingEvent>('listing');
  for (let i = 0; i < sorted.length; i += 5000) {
    for (const ev of sorted.slice(i, i + 5000).flatMap((r) => builder.fromRow(r))) {
      if (ev.kind === 'order') await bus.publish(topics.orders, [{ key: ev.event.sku, value: orderCodec.encode(ev.event) }]);
      else await bus.publish(topics.listings, [{ key: ev.event.sku, value: listingCodec.encode(ev.event) }]);
    }
    await bus.drain();
    o.onProgress?.(Math.min(i + 5000, sorted.length), sorted.length);
  }

  const job = new ForecastJob({
    store, publisher: bus, topic: topics.trends, codec: codecFor<Trend>('trend'), model: o.model,
    settings: { alpha: o.settings.alpha, beta: o.settings.beta, bucketMs: o.settings.bucketMs, horizon: o.horizon, flatBand: o.flatBand },
  });
  const skus = await store.listProducts();
  await job.fullPass(skus, skus.length, () => false, (err) => {
    throw err;
  });
  const titles = new Map((await store.read(skus)).map((s) => [s.sku, s.listing?.title ?? '']));
  const trendCodec = codecFor<Trend>('trend');
  const trends = (bus.topics.get(topics.trends) ?? []).map((m) => trendCodec.decode(m.value).value);
  const dlq = [...bus.topics.entries()].filter(([t]) => t.endsWith('.dlq')).reduce((n, [, l]) => n + l.length, 0);
  return { events: { orders: builder.stats.orders, listings: builder.stats.listings, skipped: builder.stats.skipped }, trends, dlq, titles };
}

/** Products with the strongest rising and falling trends, among those selling at least `minLevel` a bucket. */
export function strongest(trends: Trend[], n: number, minLevel = 1): { rising: Trend[]; falling: Trend[] } {
  const eligible = trends.filter((t) => t.level >= minLevel);
  const rising = eligible.filter((t) => t.direction === 'RISING').sort((a, b) => b.slope - a.slope).slice(0, n);
  const falling = eligible.filter((t) => t.direction === 'FALLING').sort((a, b) => a.slope - b.slope).slice(0, n);
  return { rising, falling };
}
