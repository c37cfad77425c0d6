/**
 * Redis losing writes it had acknowledged, after their offsets were committed to Kafka. With
 * Redis's default persistence (RDB snapshots, no AOF) a crash brings it back with the last snapshot;
 * with AOF and `appendfsync everysec`, up to a second older; a new empty instance has nothing. The
 * committed offsets then point past effects that no longer exist, and consuming on from them would
 * lose those events for good. The consumer keeps a checkpoint beside its state (the offset up to
 * which its effects are stored, written before each Kafka commit) and rewinds a partition to it
 * when the store's checkpoint falls behind. Each test checks the state went back first (the loss
 * is real), then that it ends exactly as the events say, with nothing dead-lettered.
 */
import Redis from 'ioredis';
import type { OrderEvent } from '../../shared/domain/events';
import { RedisCheckpoints } from '../../shared/adapters/redis/checkpoints';
import { RedisStateStore } from '../../shared/adapters/redis/state-store';
import { codecFor } from '../../shared/avro/codec';
import type { RestockAlert } from '../../shared/domain/events';
import { productKeys } from '../../shared/adapters/redis/keys';
import { collect, createTopics, deleteTopicsWithPrefix, groupLag, produce, topicSize } from './support/kafka';
import { enc, stock, trend } from './support/restock';
import { DEFAULT_SERIES, startOrderConsumer, type OrderConsumerRun } from './support/order-consumer';
import { startOwnRedis, type OwnRedis } from './support/own-redis';
import { appliedOrders, expectExactOrderState, fixtureEvents, produceOrders } from './support/retail';
import { getJson, startService, uniq, waitFor } from './support/services';

let orders: OrderEvent[] = [];
let skus: string[] = [];
let run: OrderConsumerRun | undefined;
let redis: OwnRedis | undefined;
let direct: RedisStateStore | undefined;

beforeAll(async () => {
  orders = (await fixtureEvents(Infinity)).orders;
  skus = [...new Set(orders.map((o) => o.sku))];
});

afterEach(async () => {
  await run?.close();
  await direct?.close();
  await redis?.close();
  run = direct = redis = undefined;
});

/** A store on the run's keys that reconnects after the test's Redis restarts. */
async function directStore(url: string, keyPrefix: string): Promise<RedisStateStore> {
  const s = (direct = new RedisStateStore(url, keyPrefix, DEFAULT_SERIES));
  await s.connect();
  return s;
}

async function command(url: string, ...args: string[]): Promise<unknown> {
  const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await c.connect();
  try {
    return await c.call(args[0], ...args.slice(1));
  } finally {
    c.disconnect();
  }
}

async function caughtUp(r: OrderConsumerRun, store: RedisStateStore, n: number): Promise<boolean> {
  return (await appliedOrders(store, skus)) === n && (await groupLag(r.group, r.topic)) === 0;
}

const logged = (r: OrderConsumerRun, s: string) => r.svc.logs.filter((l) => l.includes(s));

test('Redis restarts from an older snapshot while the consumer runs: it rewinds to the checkpoint and ends exact', async () => {
  redis = await startOwnRedis({ persistence: 'snapshot' });
  const own = redis;
  run = await startOrderConsumer('snapshot', { REDIS_URL: own.url, REDIS_TIMEOUT_MS: '2000', CONSUMER_CHUNK_SIZE: '50', RETRY_COUNT: '2', RETRY_INITIAL_MS: '100', RETRY_MAX_MS: '400' });
  const r = run;
  const store = await directStore(own.url, r.keyPrefix);
  const half = Math.floor(orders.length / 2);
  await produceOrders(r.topic, orders.slice(0, half));
  await waitFor('the first half applied and committed', () => caughtUp(r, store, half), 120_000);
  await command(own.url, 'SAVE');
  await produceOrders(r.topic, orders.slice(half));
  await waitFor('everything applied and committed', () => caughtUp(r, store, orders.length), 120_000);

  // a crash: the restarted Redis has the snapshot, i.e. the first half only, with all offsets committed
  await own.kill();
  await own.start();
  expect(await appliedOrders(store, skus)).toBe(half);
  expect(await groupLag(r.group, r.topic)).toBe(0);

  // the consumer is idle (nothing new to consume): it must notice on its own, on reconnecting
  await waitFor('the second half applied again', async () => (await appliedOrders(store, skus)) === orders.length, 120_000);
  await expectExactOrderState(store, orders, DEFAULT_SERIES);
  await waitFor('committed again', async () => (await groupLag(r.group, r.topic)) === 0, 60_000);
  const lines = logged(r, 'state store behind its committed offsets');
  expect(lines.length).toBeGreaterThanOrEqual(1);
  expect(JSON.parse(lines[0])).toMatchObject({ level: 'warn', topic: r.topic });
  const rewinds = new RegExp(`trendcast_state_rewinds_total\\{topic="${r.topic}",service="order-consumer"\\} (\\d+)`).exec((await getJson(r.svc.port, '/metrics')).body);
  expect(Number(rewinds?.[1])).toBeGreaterThanOrEqual(1);
  expect(await topicSize(`${r.topic}.dlq`)).toBe(0);
}, 300_000);

test('Redis restarts from an older snapshot in the middle of a backlog: chunks in flight are dropped, and the state ends exact', async () => {
  redis = await startOwnRedis({ persistence: 'snapshot' });
  const own = redis;
  // small chunks: many store-then-checkpoint-then-commit steps are in flight when Redis goes
  run = await startOrderConsumer('midstream', { REDIS_URL: own.url, REDIS_TIMEOUT_MS: '2000', CONSUMER_CHUNK_SIZE: '25', RETRY_COUNT: '2', RETRY_INITIAL_MS: '100', RETRY_MAX_MS: '400' }, (_, topic) => produceOrders(topic, orders));
  const r = run;
  const store = await directStore(own.url, r.keyPrefix);
  const total = orders.length;
  await waitFor('a quarter stored', async () => (await appliedOrders(store, skus)) >= total / 4, 120_000, 20);
  await command(own.url, 'SAVE');
  const saved = await appliedOrders(store, skus);
  await waitFor('more committed since the snapshot', async () => total - (await groupLag(r.group, r.topic)) > saved + 200, 120_000, 20);
  await own.kill();
  await own.start();
  await waitFor('everything applied and committed', () => caughtUp(r, store, total), 180_000);
  await expectExactOrderState(store, orders, DEFAULT_SERIES);
  expect(logged(r, 'state store behind its committed offsets').length).toBeGreaterThanOrEqual(1);
  expect(await topicSize(`${r.topic}.dlq`)).toBe(0);
}, 300_000);

test('Redis comes back empty while the consumer is stopped: on start it replays the topic from the earliest offset', async () => {
  redis = await startOwnRedis({ persistence: 'snapshot' });
  const own = redis;
  run = await startOrderConsumer('empty', { REDIS_URL: own.url, CONSUMER_CHUNK_SIZE: '100' });
  const r = run;
  const store = await directStore(own.url, r.keyPrefix);
  await produceOrders(r.topic, orders);
  await waitFor('everything applied and committed', () => caughtUp(r, store, orders.length), 120_000);
  await r.svc.stop();

  await own.kill(); // nothing was saved: it restarts empty
  await own.start();
  expect(await appliedOrders(store, skus)).toBe(0);

  await r.restart();
  await waitFor('everything applied again', async () => (await appliedOrders(store, skus)) === orders.length, 120_000);
  await expectExactOrderState(store, orders, DEFAULT_SERIES);
  await waitFor('committed again', async () => (await groupLag(r.group, r.topic)) === 0, 60_000);
  expect(logged(r, 'state store behind its committed offsets').length).toBeGreaterThanOrEqual(1);
  expect(await topicSize(`${r.topic}.dlq`)).toBe(0);
}, 300_000);

test('a consumer group that starts on an empty store is not rewound, and a clean restart is not either', async () => {
  redis = await startOwnRedis({ persistence: 'snapshot' });
  const own = redis;
  run = await startOrderConsumer('fresh', { REDIS_URL: own.url, CONSUMER_CHUNK_SIZE: '100' });
  const r = run;
  const store = await directStore(own.url, r.keyPrefix);
  await produceOrders(r.topic, orders);
  await waitFor('everything applied and committed', () => caughtUp(r, store, orders.length), 120_000);
  await r.restart();
  await produceOrders(r.topic, orders); // the same events again: all duplicates
  await waitFor('the duplicates consumed', async () => (await groupLag(r.group, r.topic)) === 0, 120_000);
  await expectExactOrderState(store, orders, DEFAULT_SERIES);
  expect(logged(r, 'state store behind its committed offsets')).toHaveLength(0);
}, 300_000);

test('the checkpoint script moves a checkpoint only from the expected value, and a restart is reported', async () => {
  redis = await startOwnRedis({ persistence: 'snapshot' });
  const own = redis;
  const store = await directStore(own.url, uniq('itcp'));
  const cp = new RedisCheckpoints(store.redis, 'itcp', 'g1');
  let reconnects = 0;
  cp.onReconnect(() => reconnects++);
  expect(await cp.read('orders', 0)).toBeNull();
  expect(await cp.advance('orders', 0, null, '10')).toEqual({ ok: true });
  expect(await cp.advance('orders', 0, null, '20')).toEqual({ ok: false, current: '10' });
  expect(await cp.advance('orders', 0, '10', '20')).toEqual({ ok: true });
  expect(await cp.read('orders', 0)).toBe('20');
  expect(await cp.read('orders', 1)).toBeNull(); // per partition
  expect(await new RedisCheckpoints(store.redis, 'itcp', 'g2').read('orders', 0)).toBeNull(); // per group
  expect(reconnects).toBe(0);
  await own.kill();
  await own.start(); // nothing was saved: empty
  await waitFor('the reconnect reported', async () => reconnects === 1, 30_000, 50);
  expect(await cp.advance('orders', 0, '20', '30')).toEqual({ ok: false, current: null });
}, 60_000);

test('the restock trigger on a Redis that came back empty: its stock, trend and open alert are rebuilt, the alert keeps its id', async () => {
  redis = await startOwnRedis({ persistence: 'snapshot' });
  const own = redis;
  const prefix = uniq('it-rsloss-');
  const keyPrefix = uniq('itrsl');
  const topics = { trends: `${prefix}-trends`, inventory: `${prefix}-inventory`, alerts: `${prefix}-restock-alerts` };
  const group = `${prefix}-restock`;
  await createTopics(Object.values(topics));
  const alerts = await collect(topics.alerts);
  const svc = await startService('restock-trigger', { TOPIC_PREFIX: `${prefix}-`, KEY_PREFIX: keyPrefix, CONSUMER_GROUP: group, REDIS_URL: own.url, REDIS_TIMEOUT_MS: '2000' });
  const r = new Redis(own.url, { maxRetriesPerRequest: 1 });
  r.on('error', () => {}); // while the test's Redis restarts
  try {
    const k = productKeys(keyPrefix, 'SHORT');
    await produce(topics.inventory, enc.stock([stock('SHORT', 10, 2, 5)]));
    await produce(topics.trends, enc.trends([trend('SHORT', 4)]));
    await waitFor('the alert', async () => alerts.messages.length >= 1, 60_000);
    const caughtUp = async () => (await groupLag(group, topics.trends)) === 0 && (await groupLag(group, topics.inventory)) === 0;
    await waitFor('consumed and committed', caughtUp, 60_000);
    const opened = codecFor<RestockAlert>('restock-alert').decode(alerts.messages[0].value).value;
    expect(await r.hget(k.alert, 'state')).toBe('OPEN');

    await own.kill(); // nothing saved: it comes back empty
    await own.start();
    await waitFor('reconnected', async () => (await r.ping().catch(() => null)) === 'PONG', 30_000);
    expect(await r.exists(k.alert, k.inventory, k.restockTrend)).toBe(0);

    await waitFor('the restock state rebuilt', async () => (await r.hget(k.alert, 'state')) === 'OPEN' && (await r.exists(k.inventory, k.restockTrend)) === 2, 60_000);
    expect(await r.hget(k.alert, 'alertId')).toBe(opened.alertId);
    expect(await r.hget(k.inventory, 'onHand')).toBe('10');
    await waitFor('committed again', caughtUp, 60_000);
    // a re-sent alert is the same alert: one id over everything published
    const ids = new Set(alerts.messages.map((m) => codecFor<RestockAlert>('restock-alert').decode(m.value).value.alertId));
    expect([...ids]).toEqual([opened.alertId]);
    expect(svc.logs.some((l) => l.includes('state store behind its committed offsets'))).toBe(true);
  } finally {
    r.disconnect();
    await svc.stop();
    await alerts.stop();
    await deleteTopicsWithPrefix(prefix);
  }
}, 240_000);
