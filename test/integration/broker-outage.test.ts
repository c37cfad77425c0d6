/**
 * The Kafka broker going away and coming back, on a broker of the test's own (the shared one stays
 * up for the other tests) and the shared Redis, the order consumer and the forecaster each its own
 * process. Neither may crash; the consumer stores every event exactly once; the forecaster, whose
 * publishes fail while the broker is away, still publishes the changes it had taken from the dirty
 * set, once the broker is back, without waiting for its next full pass.
 */
import * as os from 'os';
import * as path from 'path';
import { codecFor } from '../../shared/avro/codec';
import type { OrderEvent, Trend } from '../../shared/domain/events';
import { RedisStateStore } from '../../shared/adapters/redis/state-store';
import { collect, createTopics, groupLag, topicSize } from './support/kafka';
import { DEFAULT_SERIES } from './support/order-consumer';
import { startOwnKafka, type OwnKafka } from './support/own-kafka';
import { deleteKeysWithPrefix } from './support/redis';
import { appliedOrders, expectExactOrderState, fixtureEvents, produceOrders } from './support/retail';
import { getJson, REDIS_URL, startService, uniq, waitFor, type RunningService } from './support/services';

const prefix = uniq('it-bk-');
const keyPrefix = uniq('itbk');
const topics = { orders: `${prefix}-orders`, trends: `${prefix}-trends` };
const group = `${prefix}-orders`;
let broker: OwnKafka;
let store: RedisStateStore;
let services: RunningService[] = [];

beforeAll(async () => {
  broker = await startOwnKafka();
  await createTopics([topics.orders, `${topics.orders}.dlq`, topics.trends], 3, broker.kafka);
  store = new RedisStateStore(REDIS_URL, keyPrefix, DEFAULT_SERIES);
  await store.connect();
}, 60_000);

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await store?.close();
  await deleteKeysWithPrefix(keyPrefix);
  await broker?.close();
});

const codec = codecFor<Trend>('trend');
/** Each product's newest trend, read from the start of the topic by a fresh group (after the outage too). */
async function latestTrends(want: (byKey: Map<string, Trend>) => boolean, timeoutMs: number): Promise<Map<string, Trend>> {
  const c = await collect(topics.trends, broker.kafka);
  try {
    return await waitFor('the trends wanted', async () => {
      const byKey = new Map<string, Trend>();
      for (const m of c.messages) byKey.set(m.key, codec.decode(m.value).value);
      return want(byKey) && byKey;
    }, timeoutMs);
  } finally {
    await c.stop();
  }
}

test('the broker away and back: the consumer stores every event once, the forecaster publishes what it had taken', async () => {
  const { orders: all } = await fixtureEvents(10);
  const skusOf = (events: OrderEvent[]) => [...new Set(events.map((o) => o.sku))];
  const skus = skusOf(all);
  const parts = [all.slice(0, Math.floor(all.length / 2)), all.slice(Math.floor(all.length / 2), Math.floor((all.length * 3) / 4)), all.slice(Math.floor((all.length * 3) / 4))];
  const markOf = (events: OrderEvent[]) => Math.max(...events.map((o) => o.eventTime));
  const env = { KAFKA_BROKERS: broker.brokers, TOPIC_PREFIX: `${prefix}-`, KEY_PREFIX: keyPrefix };
  // a long debounce: the forecaster takes the second part's changes only once the broker is gone
  services = await Promise.all([
    // a restarted broker keeps the group's old member until its session times out: 6 s, not 30
    startService('order-consumer', { ...env, CONSUMER_GROUP: group, RETRY_MAX_MS: '1000', CONSUMER_SESSION_TIMEOUT_MS: '6000' }),
    startService('forecaster', {
      ...env, ARTIFACTS_DIR: path.join(os.tmpdir(), uniq('no-artifacts-')),
      FORECAST_INTERVAL_MS: '600000', FORECAST_POLL_MS: '200', FORECAST_DEBOUNCE_MS: '10000',
    }),
  ]);
  const [consumer, forecaster] = services;

  await produceOrders(topics.orders, parts[0], broker.kafka);
  await latestTrends((t) => skusOf(parts[0]).every((s) => t.get(s)?.basedOnEventTime === markOf(parts[0])), 90_000);

  await produceOrders(topics.orders, parts[1], broker.kafka);
  await waitFor('the second part stored and committed', async () => (await appliedOrders(store, skus)) === parts[0].length + parts[1].length && (await groupLag(group, topics.orders, broker.kafka)) === 0, 60_000, 100);
  const changedAt = Date.now();
  await broker.stop();
  expect(Date.now() - changedAt).toBeLessThan(10_000); // gone before the forecaster took those changes (a stop takes ~2 s)
  await waitFor('a forecast pass failed on the broker', async () => forecaster.logs.slice(-50).some((l) => l.includes('forecast pass failed')), 60_000);
  await new Promise((r) => setTimeout(r, 3000));
  for (const s of services) expect(s.proc.exitCode).toBeNull();
  // and both say so: /readyz 503 with kafka false (the consumer once the broker has been silent for
  // the session timeout + 6 s, the forecaster once a publish failed)
  const kafkaReady = async (svc: RunningService) => (JSON.parse((await getJson(svc.port, '/readyz')).body) as { checks: { kafka: boolean } }).checks.kafka;
  for (const s of services) await waitFor('kafka not ready while the broker is away', async () => (await kafkaReady(s)) === false, 30_000, 100);

  await broker.start();
  // the FULL pass is ten minutes away: these trends come from the products the failed pass had taken
  await latestTrends((t) => skusOf(parts[1]).every((s) => t.get(s)?.basedOnEventTime === markOf(parts[1])), 90_000);
  await produceOrders(topics.orders, parts[2], broker.kafka);
  await waitFor('everything stored and committed', async () => (await appliedOrders(store, skus)) === all.length && (await groupLag(group, topics.orders, broker.kafka)) === 0, 90_000);
  await expectExactOrderState(store, all, DEFAULT_SERIES);
  expect(await topicSize(`${topics.orders}.dlq`, broker.kafka)).toBe(0);
  for (const s of services) expect(s.proc.exitCode).toBeNull();
  for (const s of services) await waitFor('ready again', async () => (await getJson(s.port, '/readyz')).status === 200, 30_000, 100);
  // kafkajs logs each failed connection attempt, several a second: written once per 30 s instead
  for (const s of services) expect(s.logs.filter((l) => l.includes('ECONNREFUSED')).length).toBeLessThan(12);
}, 300_000);
