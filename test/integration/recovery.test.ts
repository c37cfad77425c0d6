/**
 * Failures the services must come through, on the real Kafka and Redis, each service its own
 * process: the order consumer killed (SIGKILL) between storing a chunk and committing it, and Redis
 * going away in the middle of a stream. Either way the state must end exactly as the recomputation
 * from the events says (nothing lost, nothing counted twice), and no valid event may be
 * dead-lettered. The forecaster, through the same outage, stays up and catches up once Redis is back.
 * A full Redis (maxmemory) holds the consumer back without dead-lettering anything. The review
 * consumer's model process killed under it is replaced, and no review is dead-lettered. A product
 * whose state was overwritten with the wrong type is left out of the forecaster's passes, not all.
 */
import Redis from 'ioredis';
import * as path from 'path';
import { codecFor } from '../../shared/avro/codec';
import type { OrderEvent, ReviewEvent } from '../../shared/domain/events';
import { createEmbedder } from '../../shared/embedding';
import { RedisStateStore } from '../../shared/adapters/redis/state-store';
import { createTopics, deleteTopicsWithPrefix, groupLag, produce, topicSize } from './support/kafka';
import { DEFAULT_SERIES, startOrderConsumer, type OrderConsumerRun } from './support/order-consumer';
import { startOwnRedis, type OwnRedis } from './support/own-redis';
import { productKeys } from '../../shared/adapters/redis/keys';
import { appliedOrders, expectExactOrderState, fixtureEvents, produceOrders } from './support/retail';
import { startQuickForecaster, trendsCaughtUp, twoHalves, watchTrends } from './support/forecasts';
import { deleteKeysWithPrefix } from './support/redis';
import { expectReviewState, reviewFixtures } from './support/reviews';
import { getJson, REDIS_URL, ROOT, startService, uniq, waitFor } from './support/services';

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

/** Topic and key prefixes of the test's own, a store on those keys, and their removal. */
async function ownNames(tag: string, redisUrl = REDIS_URL) {
  const prefix = uniq(`it-${tag}-`);
  const keyPrefix = uniq(`it${tag}`);
  const store = new RedisStateStore(redisUrl, keyPrefix, DEFAULT_SERIES);
  await store.connect();
  const remove = async () => {
    await store.close();
    if (redisUrl === REDIS_URL) await deleteKeysWithPrefix(keyPrefix);
    await deleteTopicsWithPrefix(prefix);
  };
  return { prefix, keyPrefix, store, remove };
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

test('Redis full (maxmemory): the consumer waits and retries, dead-letters nothing, and stores everything once there is room', async () => {
  redis = await startOwnRedis();
  const own = redis;
  const admin = new Redis(own.url);
  try {
    // room for a part of the backlog only: the server starts refusing writes part way through
    const used = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))![1]);
    await admin.config('SET', 'maxmemory', String(used + 400_000));
    run = await startOrderConsumer('redisfull', { REDIS_URL: own.url, RETRY_COUNT: '2', RETRY_INITIAL_MS: '100', RETRY_MAX_MS: '400' }, (_, topic) => produceOrders(topic, orders));
    const r = run;
    await waitFor('refused by a full Redis', async () => r.svc.logs.some((l) => l.includes('OOM command not allowed')), 60_000);
    const lag = await groupLag(r.group, r.topic);
    expect(lag).toBeGreaterThan(0);
    await new Promise((res) => setTimeout(res, 2000));
    expect(await groupLag(r.group, r.topic)).toBe(lag); // stuck, not skipping
    expect(await topicSize(`${r.topic}.dlq`)).toBe(0);

    await admin.config('SET', 'maxmemory', '0');
    await waitFor('everything applied and committed', async () => (await groupLag(r.group, r.topic)) === 0 && (await appliedOrders(r.store, skus)) === orders.length, 120_000);
    await expectExactOrderState(r.store, orders, DEFAULT_SERIES);
    expect(await topicSize(`${r.topic}.dlq`)).toBe(0);
    expect(r.svc.proc.exitCode).toBeNull();
  } finally {
    await admin.quit();
  }
}, 240_000);

test('the forecaster through a Redis outage: alive and not ready meanwhile, then changes are forecast again', async () => {
  redis = await startOwnRedis();
  const own = redis;
  const names = await ownNames('fdown', own.url);
  const { store } = names;
  const trendsTopic = `${names.prefix}-trends`;
  const { before, after } = twoHalves(orders, skus);
  await store.applyOrders(before);
  await createTopics([trendsTopic]);
  const trends = await watchTrends(trendsTopic);
  const svc = await startQuickForecaster(names, { REDIS_URL: own.url });
  try {
    await trendsCaughtUp(trends.latest, before, 'a trend per product', 90_000);

    await own.stop();
    await waitFor('readiness reports Redis gone', async () => (await getJson(svc.port, '/readyz')).status === 503, 30_000);
    await waitFor('a failed pass logged', async () => svc.logs.some((l) => l.includes('forecast pass failed')), 30_000);
    expect(svc.proc.exitCode).toBeNull();

    await own.start();
    await waitFor('ready again', async () => (await getJson(svc.port, '/readyz')).status === 200, 30_000);
    await store.applyOrders(after);
    await trendsCaughtUp(trends.latest, after, 'the changed products forecast again', 60_000);
    expect(svc.proc.exitCode).toBeNull();
    expectOutageLogged(svc.logs);
  } finally {
    await svc.stop();
    await trends.stop();
    await names.remove();
  }
}, 240_000);

test("the review consumer's model process killed (the OOM killer, say): a new one serves, no review is dead-lettered", async () => {
  const names = await ownNames('model');
  const { prefix, keyPrefix, store } = names;
  const topic = `${prefix}-reviews`;
  await createTopics([topic, `${topic}.dlq`]);
  const reviews = reviewFixtures(skus.slice(0, 12), orders[orders.length - 1].eventTime);
  const codec = codecFor<ReviewEvent>('review');
  const send = (part: ReviewEvent[]) => produce(topic, part.map((e) => ({ key: e.sku, value: codec.encode(e) })));
  const reviewed = [...new Set(reviews.map((r) => r.sku))];
  const stored = async () => (await store.read(reviewed)).reduce((n, s) => n + (s.reviews?.count ?? 0), 0);
  const svc = await startService('review-consumer', { TOPIC_PREFIX: `${prefix}-`, KEY_PREFIX: keyPrefix, CONSUMER_GROUP: `${prefix}-g`, CONSUMER_CHUNK_SIZE: '8', RETRY_MAX_MS: '1000' });
  const embedder = await createEmbedder({ modelId: 'Xenova/all-MiniLM-L6-v2', modelDir: path.join(ROOT, 'models'), allowRemote: false, batchSize: 32, quantized: false, log: () => undefined });
  try {
    const half = Math.floor(reviews.length / 2);
    await send(reviews.slice(0, half));
    await waitFor('the first half stored', async () => (await stored()) === half, 60_000);
    const loaded = svc.logs.find((l) => l.includes('"msg":"embedding model loaded"'));
    const pid = Number(JSON.parse(loaded!).pid);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');

    await send(reviews.slice(half));
    await waitFor('every review stored and committed', async () => (await stored()) === reviews.length && (await groupLag(`${prefix}-g`, topic)) === 0, 90_000);
    expect(svc.logs.some((l) => l.includes('embedding model restarted'))).toBe(true);
    const metrics = (await getJson(svc.port, '/metrics')).body;
    expect(metrics).toMatch(/trendcast_embedding_model_restarts_total\{service="review-consumer"\} 1\b/);
    expect(await topicSize(`${topic}.dlq`)).toBe(0);
    for (const snap of await store.read(reviewed)) await expectReviewState(snap, reviews.filter((r) => r.sku === snap.sku), embedder, DEFAULT_SERIES.reviewDecay);
    expect(svc.proc.exitCode).toBeNull();
  } finally {
    await svc.stop();
    await embedder.close();
    await names.remove();
  }
}, 240_000);

test('a product whose state key holds the wrong type: the forecaster leaves it out and forecasts every other product', async () => {
  const names = await ownNames('poison');
  const { keyPrefix, store } = names;
  const trendsTopic = `${names.prefix}-trends`;
  const few = orders.filter((o) => skus.slice(0, 8).includes(o.sku));
  await store.applyOrders(few);
  const [bad, ...good] = skus.slice(0, 8);
  // something else wrote a plain string where the product's state hash belongs
  await store.redis.set(productKeys(keyPrefix, bad).state, 'not a hash');
  await createTopics([trendsTopic]);
  const trends = await watchTrends(trendsTopic);
  const svc = await startQuickForecaster(names);
  try {
    const mark = Math.max(...few.map((o) => o.eventTime));
    const published = trends.latest;
    await waitFor('a trend for every readable product', async () => good.every((s) => published().get(s)?.basedOnEventTime === mark), 60_000);
    expect(published().has(bad)).toBe(false);
    const left = svc.logs.filter((l) => l.includes('product left out of the pass'));
    expect(left.length).toBeGreaterThan(0);
    expect(JSON.parse(left[0]).sku).toBe(bad);
    expect(JSON.parse(left[0]).err.message).toMatch(/WRONGTYPE/);
    const metrics = (await getJson(svc.port, '/metrics')).body;
    expect(Number(/trendcast_forecast_unreadable_total\{service="forecaster"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(0);
    expect(svc.logs.some((l) => l.includes('forecast pass failed'))).toBe(false);
  } finally {
    await svc.stop();
    await trends.stop();
    await names.remove();
  }
}, 240_000);
