/**
 * The pipeline end to end on the real Kafka and Redis, each service its own process: events in,
 * state checked against an independent recomputation, trends out, redelivery and poison messages.
 */
import * as path from 'path';
import { codecFor } from '../../shared/avro/codec';
import type { ListingEvent, OrderEvent, ReviewEvent, Trend } from '../../shared/domain/events';
import { listingText } from '../../shared/domain/text';
import { RedisStateStore } from '../../shared/adapters/redis/state-store';
import { createEmbedder, type Embedder } from '../../shared/embedding';
import { collect, createTopics, deleteTopicsWithPrefix, groupLag, produce, type Collected } from './support/kafka';
import { deleteKeysWithPrefix } from './support/redis';
import { getJson, REDIS_URL, ROOT, startService, uniq, waitFor, type RunningService } from './support/services';
import { expectReviewState, expectSameEmbedding, reviewFixtures } from './support/reviews';
import { expectOrderState, fixtureEvents } from './support/retail';

const D = 86_400_000;
const settings = { alpha: 0.3, beta: 0.1, bucketMs: D, maxBuckets: 400, reviewDecay: 0.1 };
const prefix = uniq('it-');
const keyPrefix = uniq('it');
const topics = { orders: `${prefix}-orders`, reviews: `${prefix}-reviews`, listings: `${prefix}-listings`, trends: `${prefix}-trends` };
const env = {
  TOPIC_PREFIX: `${prefix}-`, KEY_PREFIX: keyPrefix, SMOOTHING_ALPHA: '0.3', SMOOTHING_BETA: '0.1',
  FORECAST_INTERVAL_MS: '600000', FORECAST_DEBOUNCE_MS: '300', FORECAST_POLL_MS: '200', CONSUMER_CHUNK_SIZE: '500',
};

let services: RunningService[] = [];
let store: RedisStateStore;
let embedder: Embedder;
let orders: OrderEvent[] = [];
let listings: ListingEvent[] = [];
let reviews: ReviewEvent[] = [];
let trendsIn: { messages: Collected[]; stop(): Promise<void> };
const orderCodec = codecFor<OrderEvent>('order');
const listingCodec = codecFor<ListingEvent>('listing');
const reviewCodec = codecFor<ReviewEvent>('review');

function encodeAll() {
  return {
    orders: orders.map((e) => ({ key: e.sku, value: orderCodec.encode(e) })),
    listings: listings.map((e) => ({ key: e.sku, value: listingCodec.encode(e) })),
    reviews: reviews.map((e) => ({ key: e.sku, value: reviewCodec.encode(e) })),
  };
}

beforeAll(async () => {
  const f = await fixtureEvents(12);
  orders = f.orders;
  listings = f.listings;
  reviews = reviewFixtures(f.skus.slice(0, 4), orders[orders.length - 1].eventTime);
  embedder = await createEmbedder({ modelId: 'Xenova/all-MiniLM-L6-v2', modelDir: path.join(ROOT, 'models'), allowRemote: false, batchSize: 32, quantized: false });
  await createTopics(Object.values(topics));
  store = new RedisStateStore(REDIS_URL, keyPrefix, settings);
  await store.connect();
  trendsIn = await collect(topics.trends);
  services = await Promise.all(['order-consumer', 'review-consumer', 'listing-consumer', 'forecaster'].map((s) => startService(s, { ...env, CONSUMER_GROUP: `${prefix}-${s}` })));
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await trendsIn?.stop();
  await store?.close();
  await (embedder as { close?: () => Promise<void> })?.close?.();
  await deleteKeysWithPrefix(keyPrefix);
  await deleteTopicsWithPrefix(prefix);
});

const poisonOrders = () => {
  const ok = orders[0];
  const enc = (e: OrderEvent) => ({ key: e.sku, value: orderCodec.encode(e) });
  return [
    { key: ok.sku, value: Buffer.from('{"sku":"not avro"}') },
    enc({ ...ok, eventId: 'poison-absurd', quantity: 1_000_000_000 }),
    enc({ ...ok, eventId: 'poison-nan', unitPrice: NaN }),
    { key: ok.sku, value: listingCodec.encode(listings[0]) },
    enc({ ...ok, eventId: '' }),
  ];
};
const POISON_REASONS = [/single-object marker/, /exceeds the limit/, /unitPrice NaN/, /not a known version/, /eventId/];

describe('pipeline on Kafka and Redis', () => {
  test('services report ready on /readyz and serve /metrics', async () => {
    for (const s of services) {
      const r = await waitFor(`${s.name} ready`, async () => ((await getJson(s.port, '/readyz')).status === 200 ? true : undefined), 60_000);
      expect(r).toBe(true);
      expect((await getJson(s.port, '/healthz')).status).toBe(200);
      expect((await getJson(s.port, '/metrics')).body).toContain('trendcast_');
    }
  });

  test('events end up in Redis exactly as a recomputation says, poison goes to the DLQ', async () => {
    const e = encodeAll();
    const mid = Math.floor(e.orders.length / 2);
    await produce(topics.listings, [...e.listings, { key: listings[0].sku, value: listingCodec.encode({ ...listings[0], eventId: 'poison-title', title: ' ' }) }]);
    await produce(topics.orders, [...e.orders.slice(0, mid), ...poisonOrders(), ...e.orders.slice(mid)]);
    await produce(topics.reviews, [...e.reviews, { key: reviews[0].sku, value: reviewCodec.encode({ ...reviews[0], eventId: 'poison-long', text: 'x'.repeat(20_001) }) }]);
    const skus = [...new Set(orders.map((o) => o.sku))];
    await waitFor('all orders applied', async () => (await store.read(skus)).reduce((n, s) => n + s.orderEvents, 0) === orders.length, 120_000);
    await waitFor('consumers caught up', async () => {
      const lags = await Promise.all([['order-consumer', topics.orders], ['review-consumer', topics.reviews], ['listing-consumer', topics.listings]].map(([s, t]) => groupLag(`${prefix}-${s}`, t)));
      return lags.every((l) => l === 0);
    });
    const snaps = await store.read(skus);
    for (const snap of snaps) {
      expectOrderState(snap, orders.filter((o) => o.sku === snap.sku), settings);
      const newest = listings.filter((l) => l.sku === snap.sku).sort((a, b) => a.eventTime - b.eventTime || a.eventId.localeCompare(b.eventId)).pop()!;
      expect(snap.listing!.title).toBe(newest.title);
      const [vec] = await embedder.embed([listingText(newest)]);
      expectSameEmbedding(snap.listing!.embedding!, vec);
    }
    for (const sku of new Set(reviews.map((r) => r.sku))) {
      const [snap] = await store.read([sku]);
      await expectReviewState(snap, reviews.filter((r) => r.sku === sku), embedder, settings.reviewDecay);
    }
  });

  test('dead-letter topics hold each malformed message with its reason', async () => {
    const dlq = await collect(`${topics.orders}.dlq`);
    const others = await collect(`${topics.reviews}.dlq`);
    const lst = await collect(`${topics.listings}.dlq`);
    await waitFor('DLQ messages', async () => dlq.messages.length >= 5 && others.messages.length >= 1 && lst.messages.length >= 1, 60_000);
    await Promise.all([dlq.stop(), others.stop(), lst.stop()]);
    expect(dlq.messages).toHaveLength(5);
    const reasons = dlq.messages.map((m) => m.headers['dlq-reason']);
    for (const re of POISON_REASONS) expect(reasons.some((r) => re.test(r))).toBe(true);
    for (const m of dlq.messages) expect(m.headers['dlq-source-topic']).toBe(topics.orders);
    expect(others.messages[0].headers['dlq-reason']).toMatch(/20001 characters/);
    expect(lst.messages[0].headers['dlq-reason']).toMatch(/title is empty/);
  });

  test('every product gets a decodable trend with p10 <= p50 <= p90', async () => {
    const skus = [...new Set(orders.map((o) => o.sku))];
    // the demand clock: the newest order (listings and reviews do not move it)
    const watermark = Math.max(...orders.map((o) => o.eventTime));
    const codec = codecFor<Trend>('trend');
    const latest = await waitFor('a final trend per product', async () => {
      const byKey = new Map<string, Trend>();
      for (const m of trendsIn.messages) byKey.set(m.key, codec.decode(m.value).value);
      return skus.every((s) => byKey.get(s)?.basedOnEventTime === watermark) ? byKey : undefined;
    }, 60_000);
    for (const m of trendsIn.messages) {
      const t = codec.decode(m.value).value;
      expect(t.horizon).toHaveLength(28);
      for (const p of t.horizon) {
        expect(p.p10).toBeLessThanOrEqual(p.p50);
        expect(p.p50).toBeLessThanOrEqual(p.p90);
        expect(p.p10).toBeGreaterThanOrEqual(0);
      }
    }
    const t = latest.get(skus[0])!;
    expect(t.horizon[0].bucketStart).toBe(Math.floor(watermark / D) * D);
    expect(['RISING', 'FLAT', 'FALLING']).toContain(t.direction);
  });

  test('producing the same events again leaves the state unchanged', async () => {
    const skus = [...new Set(orders.map((o) => o.sku))];
    const before = await store.read(skus);
    const e = encodeAll();
    await produce(topics.orders, e.orders);
    await produce(topics.listings, e.listings);
    await produce(topics.reviews, e.reviews);
    await waitFor('redelivery consumed', async () => {
      const lags = await Promise.all([['order-consumer', topics.orders], ['review-consumer', topics.reviews], ['listing-consumer', topics.listings]].map(([s, t]) => groupLag(`${prefix}-${s}`, t)));
      return lags.every((l) => l === 0);
    });
    expect(await store.read(skus)).toEqual(before);
    const metrics = (await getJson(services[0].port, '/metrics')).body;
    expect(metrics).toMatch(new RegExp(`trendcast_events_consumed_total\\{topic="${topics.orders}",outcome="duplicate",service="order-consumer"\\} ${orders.length}`));
  });

  test('SIGTERM shuts every service down cleanly', async () => {
    const codes = await Promise.all(services.map((s) => s.stop()));
    expect(codes).toEqual([0, 0, 0, 0]);
  });
});
