/**
 * Failures the services must come through, on the real Kafka and Redis, each service its own
 * process: the order consumer killed (SIGKILL) between storing a chunk and committing it, and Redis
 * going away in the middle of a stream. Either way the state must end exactly as the recomputation
 * from the events says (nothing lost, nothing counted twice), and no valid event may be
 * dead-lettered. The forecaster, through the same outage, stays up and catches up once Redis is back.
 */
import * as os from 'os';
import * as path from 'path';
import { codecFor } from '../../shared/avro/codec';
import type { OrderEvent, Trend } from '../../shared/domain/events';
import { RedisStateStore } from '../../shared/adapters/redis/state-store';
import { collect, createTopics, deleteTopicsWithPrefix, groupLag, topicSize } from './support/kafka';
import { DEFAULT_SERIES, startOrderConsumer, type OrderConsumerRun } from './support/order-consumer';
import { startOwnRedis, type OwnRedis } from './support/own-redis';
import { appliedOrders, expectExactOrderState, fixtureEvents, produceOrders } from './support/retail';
import { getJson, startService, uniq, waitFor } from './support/services';

let orders: OrderEvent[] = [];
let skus: string[] = [];
let run: OrderConsumerRun | undefined;
let redis: OwnRedis | undefined;

beforeAll(async () => {
  const f = await fixtureEvents(Infinity);
  orders = f.orders;
  skus = [...new Set(orders.map((o) => o.sku))];
});

afterEach(async () => {
  await run?.close();
  await redis?.close();
  run = undefined;
  redis = undefined;
});

/** One structured line when Redis went away and one when it was back; not ioredis's line per reconnect. */
function expectOutageLogged(logs: string[]): void {
  expect(logs.filter((l) => l.includes('redis connection lost'))).toHaveLength(1);
  expect(logs.filter((l) => l.includes('redis connection back'))).toHaveLength(1);
  expect(logs.some((l) => l.includes('[ioredis]'))).toBe(false);
}

const counter = (metrics: string, topic: string, outcome: string) =>
  Number(new RegExp(`trendcast_events_consumed_total\\{topic="${topic}",outcome="${outcome}",service="order-consumer"\\} (\\d+)`).exec(metrics)?.[1] ?? NaN);

test('killed with SIGKILL mid-stream and started again: every event is counted exactly once', async () => {
  // small chunks, each committed on its own: the kill lands between many store-then-commit steps.
  // A short session timeout lets the restarted member take the dead one's partitions in seconds.
  // The whole backlog is there before the consumer starts, so the kill cannot land after its end.
  run = await startOrderConsumer('crash', { CONSUMER_CHUNK_SIZE: '10', CONSUMER_SESSION_TIMEOUT_MS: '6000' }, (_, topic) => produceOrders(topic, orders));
  const r = run;
  const total = orders.length;
  await waitFor('a quarter of the events committed', async () => total - (await groupLag(r.group, r.topic)) >= total / 4, 120_000, 10);
  r.svc.proc.kill('SIGKILL');
  await r.svc.stop(); // waits for the exit
  await new Promise((res) => setTimeout(res, 500)); // what the dead process had sent Redis is done
  const committed = total - (await groupLag(r.group, r.topic));
  const applied = await appliedOrders(r.store, skus);
  expect(committed).toBeLessThan(total);
  // offsets follow effects: every committed event is stored (some stored ones are not yet committed)
  expect(applied).toBeGreaterThanOrEqual(committed);

  const again = await r.restart();
  await waitFor('everything applied and committed', async () => (await groupLag(r.group, r.topic)) === 0 && (await appliedOrders(r.store, skus)) === total, 120_000);
  await expectExactOrderState(r.store, orders, DEFAULT_SERIES);
  const metrics = (await getJson(again.port, '/metrics')).body;
  // the restarted process read again from the last commit: what the dead one stored past it is known
  expect(counter(metrics, r.topic, 'duplicate')).toBe(applied - committed);
  expect(counter(metrics, r.topic, 'ok')).toBe(total - applied);
  expect(await topicSize(`${r.topic}.dlq`)).toBe(0);
}, 240_000);

test('Redis goes away mid-stream: the consumer is not ready, keeps retrying, then stores every event once', async () => {
  redis = await startOwnRedis();
  const own = redis;
  // few retries with short backoffs: the outage outlasts them, so the chunk is also fetched again
  run = await startOrderConsumer('redisdown', { REDIS_URL: own.url, RETRY_COUNT: '2', RETRY_INITIAL_MS: '100', RETRY_MAX_MS: '400' });
  const r = run;
  const half = Math.floor(orders.length / 2);
  await produceOrders(r.topic, orders.slice(0, half));
  await waitFor('the first half applied and committed', async () => (await appliedOrders(r.store, skus)) === half && (await groupLag(r.group, r.topic)) === 0, 120_000);

  await own.stop();
  await produceOrders(r.topic, orders.slice(half));
  await waitFor('readiness reports Redis gone', async () => (await getJson(r.svc.port, '/readyz')).status === 503, 30_000);
  await waitFor('a chunk given up and fetched again', async () => r.svc.logs.some((l) => l.includes('chunk failed; fetching it again')), 60_000);
  expect(r.svc.logs.some((l) => l.includes('retrying batch') && l.includes('STORE_UNAVAILABLE'))).toBe(true);
  expect(r.svc.proc.exitCode).toBeNull();
  expect(await groupLag(r.group, r.topic)).toBe(orders.length - half); // nothing committed meanwhile

  await own.start();
  await waitFor('everything applied and committed', async () => (await groupLag(r.group, r.topic)) === 0 && (await appliedOrders(r.store, skus)) === orders.length, 120_000);
  expect((await getJson(r.svc.port, '/readyz')).status).toBe(200);
  await expectExactOrderState(r.store, orders, DEFAULT_SERIES);
  expect(await topicSize(`${r.topic}.dlq`)).toBe(0);
  expect(r.svc.proc.exitCode).toBeNull();
  expectOutageLogged(r.svc.logs);
}, 240_000);

test('the forecaster through a Redis outage: alive and not ready meanwhile, then changes are forecast again', async () => {
  redis = await startOwnRedis();
  const own = redis;
  const prefix = uniq('it-fdown-');
  const trendsTopic = `${prefix}-trends`;
  const keyPrefix = uniq('itfd');
  const store = new RedisStateStore(own.url, keyPrefix, DEFAULT_SERIES);
  await store.connect();
  const few = orders.filter((o) => skus.slice(0, 8).includes(o.sku));
  const before = few.filter((o) => o.eventTime < few[Math.floor(few.length / 2)].eventTime);
  await store.applyOrders(before);
  await createTopics([trendsTopic]);
  const trends = await collect(trendsTopic);
  const codec = codecFor<Trend>('trend');
  const latest = () => {
    const byKey = new Map<string, Trend>();
    for (const m of trends.messages) byKey.set(m.key, codec.decode(m.value).value);
    return byKey;
  };
  // no artifacts folder: the statistical ensemble only (the LSTM has its own test)
  const svc = await startService('forecaster', {
    REDIS_URL: own.url, KEY_PREFIX: keyPrefix, TOPIC_PREFIX: `${prefix}-`, ARTIFACTS_DIR: path.join(os.tmpdir(), uniq('no-artifacts-')),
    FORECAST_INTERVAL_MS: '600000', FORECAST_POLL_MS: '200', FORECAST_DEBOUNCE_MS: '200',
  });
  try {
    const mark1 = Math.max(...before.map((o) => o.eventTime));
    const productsOf = (events: OrderEvent[]) => [...new Set(events.map((o) => o.sku))];
    await waitFor('a trend per product', async () => productsOf(before).every((s) => latest().get(s)?.basedOnEventTime === mark1), 90_000);

    await own.stop();
    await waitFor('readiness reports Redis gone', async () => (await getJson(svc.port, '/readyz')).status === 503, 30_000);
    await waitFor('a failed pass logged', async () => svc.logs.some((l) => l.includes('forecast pass failed')), 30_000);
    expect(svc.proc.exitCode).toBeNull();

    await own.start();
    await waitFor('ready again', async () => (await getJson(svc.port, '/readyz')).status === 200, 30_000);
    const after = few.filter((o) => !before.includes(o));
    await store.applyOrders(after);
    const mark2 = Math.max(...after.map((o) => o.eventTime));
    await waitFor('the changed products forecast again', async () => productsOf(after).every((s) => latest().get(s)?.basedOnEventTime === mark2), 60_000);
    expect(svc.proc.exitCode).toBeNull();
    expectOutageLogged(svc.logs);
  } finally {
    await svc.stop();
    await trends.stop();
    await store.close();
    await deleteTopicsWithPrefix(prefix);
  }
}, 240_000);
