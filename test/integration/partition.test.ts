/**
 * A network partition between a service and Redis, as opposed to Redis stopped (recovery.test.ts):
 * packets stop, but no socket is closed, so the client is told nothing. A Redis of the test's own
 * sits behind a TCP proxy (support/tcp-proxy.ts) that the test partitions and heals; the service
 * talks to Redis through the proxy, the test reads the state directly. Within a bounded time the
 * service must notice (not ready, one log line), hold everything back (no commit past what is
 * stored, no dead letter), stay up, and once the partition heals end with the exact state.
 */
import type { OrderEvent } from '../../shared/domain/events';
import { createRedis } from '../../shared/adapters/redis/connection';
import type { Logger } from '../../shared/log';
import { RedisStateStore } from '../../shared/adapters/redis/state-store';
import { createTopics, deleteTopicsWithPrefix, groupLag, topicSize } from './support/kafka';
import { DEFAULT_SERIES, startOrderConsumer, type OrderConsumerRun } from './support/order-consumer';
import { startOwnRedis, type OwnRedis } from './support/own-redis';
import { appliedOrders, expectExactOrderState, fixtureEvents, produceOrders } from './support/retail';
import { getJson, uniq, waitFor } from './support/services';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy';
import { startQuickForecaster, trendsCaughtUp, twoHalves, watchTrends } from './support/forecasts';

/** The consumer's Redis timeout in this test: short, so the test is too. */
const TIMEOUT_MS = 2000;

let orders: OrderEvent[] = [];
let skus: string[] = [];
let redis: OwnRedis | undefined;
let proxy: TcpProxy | undefined;
let direct: RedisStateStore | undefined;
let run: OrderConsumerRun | undefined;

beforeAll(async () => {
  orders = (await fixtureEvents(Infinity)).orders;
  skus = [...new Set(orders.map((o) => o.sku))];
});

afterEach(async () => {
  proxy?.heal(); // a failed test must not leave a client hanging on close
  await run?.close();
  await direct?.close();
  await proxy?.close();
  await redis?.close();
  run = direct = proxy = redis = undefined;
});

/** A Redis of the test's own, a proxy in front of it, and a store on `keyPrefix` that bypasses the proxy. */
async function partitionableRedis() {
  const own = (redis = await startOwnRedis());
  const p = (proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(own.url).port) }));
  return { own, proxy: p, url: `redis://127.0.0.1:${p.port}` };
}

async function directStore(url: string, keyPrefix: string): Promise<RedisStateStore> {
  const s = (direct = new RedisStateStore(url, keyPrefix, DEFAULT_SERIES));
  await s.connect();
  return s;
}

/** Waits for /readyz to answer 503 and returns how long after `since` it did. */
async function msUntilNotReady(port: number, since: number, limitMs: number): Promise<number> {
  await waitFor('readiness reports Redis unreachable', async () => (await getJson(port, '/readyz')).status === 503, limitMs, 100);
  return Date.now() - since;
}

test('Redis partitioned mid-backlog: the consumer is not ready within seconds, commits nothing unstored, then stores every event once', async () => {
  const { own, proxy: p, url } = await partitionableRedis();
  // small chunks: the backlog takes many store-then-commit steps, so the partition lands inside one
  run = await startOrderConsumer('partition', {
    REDIS_URL: url, REDIS_TIMEOUT_MS: String(TIMEOUT_MS), CONSUMER_CHUNK_SIZE: '25', RETRY_COUNT: '2', RETRY_INITIAL_MS: '100', RETRY_MAX_MS: '400',
  }, (_, topic) => produceOrders(topic, orders));
  const r = run;
  const store = await directStore(own.url, r.keyPrefix);
  const total = orders.length;
  await waitFor('a quarter of the events stored', async () => (await appliedOrders(store, skus)) >= total / 4, 120_000, 20);

  p.partition();
  const t0 = Date.now();
  const waited = await msUntilNotReady(r.svc.port, t0, 4 * TIMEOUT_MS + 5000);
  console.log(`partition -> /readyz 503 after ${waited} ms (REDIS_TIMEOUT_MS=${TIMEOUT_MS})`);
  await waitFor('the lost connection logged', async () => r.svc.logs.some((l) => l.includes('redis connection lost')), 5000, 100);
  const lost = JSON.parse(r.svc.logs.find((l) => l.includes('redis connection lost'))!);
  expect(lost.err).toMatch(/timed out|timeout/i);
  expect(lost.reason).toBe(`no reply in ${TIMEOUT_MS} ms: Redis unreachable`);
  // still partitioned: what is committed is stored, and it stays put (held back, not skipped)
  const lag = await groupLag(r.group, r.topic);
  const stored = await appliedOrders(store, skus);
  expect(stored).toBeLessThan(total);
  expect(stored).toBeGreaterThanOrEqual(total - lag);
  await new Promise((res) => setTimeout(res, TIMEOUT_MS));
  expect(await groupLag(r.group, r.topic)).toBe(lag);
  expect((await getJson(r.svc.port, '/readyz')).status).toBe(503);
  expect(await topicSize(`${r.topic}.dlq`)).toBe(0);
  expect(r.svc.proc.exitCode).toBeNull();

  p.heal();
  await waitFor('everything applied and committed', async () => (await groupLag(r.group, r.topic)) === 0 && (await appliedOrders(store, skus)) === total, 60_000);
  await waitFor('ready again', async () => (await getJson(r.svc.port, '/readyz')).status === 200, 10_000);
  await expectExactOrderState(store, orders, DEFAULT_SERIES);
  // the products are marked for the forecaster and the demand clock reached the newest order
  expect(await store.watermark()).toBe(Math.max(...orders.map((o) => o.eventTime)));
  expect(new Set(await store.listProducts())).toEqual(new Set(skus));
  expect(await topicSize(`${r.topic}.dlq`)).toBe(0);
  expect(r.svc.proc.exitCode).toBeNull();
  expect(r.svc.logs.filter((l) => l.includes('redis connection lost'))).toHaveLength(1);
  expect(r.svc.logs.filter((l) => l.includes('redis connection back'))).toHaveLength(1);
  expect(r.svc.logs.some((l) => l.includes('[ioredis]'))).toBe(false);
}, 120_000);

test('the forecaster through a Redis partition: not ready within seconds, alive, then changes are forecast again', async () => {
  const { own, url } = await partitionableRedis();
  const prefix = uniq('it-fpart-');
  const keyPrefix = uniq('itfpart');
  const store = await directStore(own.url, keyPrefix);
  const trendsTopic = `${prefix}-trends`;
  const { before, after } = twoHalves(orders, skus);
  await store.applyOrders(before);
  await createTopics([trendsTopic]);
  const trends = await watchTrends(trendsTopic);
  const svc = await startQuickForecaster({ prefix, keyPrefix }, { REDIS_URL: url, REDIS_TIMEOUT_MS: String(TIMEOUT_MS) });
  try {
    await trendsCaughtUp(trends.latest, before, 'a trend per product', 90_000);

    proxy!.partition();
    const t0 = Date.now();
    // the forecaster polls the dirty set every 200 ms, so a command soon waits on Redis
    const waited = await msUntilNotReady(svc.port, t0, TIMEOUT_MS + 8000);
    console.log(`forecaster: partition -> /readyz 503 after ${waited} ms`);
    await waitFor('a failed pass logged', async () => svc.logs.some((l) => l.includes('forecast pass failed')), 30_000);
    expect(svc.logs.some((l) => l.includes('redis connection lost'))).toBe(true);
    expect(svc.proc.exitCode).toBeNull();

    proxy!.heal();
    await waitFor('ready again', async () => (await getJson(svc.port, '/readyz')).status === 200, 30_000);
    await store.applyOrders(after);
    await trendsCaughtUp(trends.latest, after, 'the changed products forecast again', 60_000);
    expect(svc.proc.exitCode).toBeNull();
  } finally {
    proxy?.heal();
    await svc.stop();
    await trends.stop();
    await deleteTopicsWithPrefix(prefix);
  }
}, 180_000);

test('an idle connection finds the partition too: not ready within 1.5 timeouts, with nothing sent by the caller, and back after the heal', async () => {
  const { proxy: p, url } = await partitionableRedis();
  const lines: string[] = [];
  const client = createRedis(url, memoryLogger(lines), TIMEOUT_MS);
  try {
    await client.connect();
    expect(client.status).toBe('ready');
    p.partition();
    const t0 = Date.now();
    // no command from the test: only the client's own PING can notice
    await waitFor('the idle connection noticed', async () => client.status !== 'ready', 1.5 * TIMEOUT_MS + 3000, 50);
    console.log(`idle connection: partition noticed after ${Date.now() - t0} ms (REDIS_TIMEOUT_MS=${TIMEOUT_MS})`);
    expect(lines.filter((l) => l.includes('redis connection lost'))).toHaveLength(1);
    p.heal();
    await waitFor('ready again', async () => client.status === 'ready', 10_000, 50);
    expect(await client.ping()).toBe('PONG');
  } finally {
    client.disconnect();
  }
}, 30_000);

/** A logger that keeps its lines (message and context) in memory. */
function memoryLogger(lines: string[]): Logger {
  const write = (msg: string, ctx?: Record<string, unknown>) => void lines.push(JSON.stringify({ msg, ...ctx }));
  const log: Logger = { debug: write, info: write, warn: write, error: write, child: () => log };
  return log;
}

test('a connection reset while a command waits: one reconnect, and the new connection is not cut by the old one\'s timer', async () => {
  const { proxy: p, url } = await partitionableRedis();
  const lines: string[] = [];
  const client = createRedis(url, memoryLogger(lines), TIMEOUT_MS);
  let closes = 0;
  client.on('close', () => closes++);
  try {
    await client.connect();
    p.partition();
    const pending = client.ping();
    await new Promise((res) => setTimeout(res, 300));
    // the connection dies with the PING unanswered and its socket timer running; the next one is made at once
    p.reset();
    p.heal();
    expect(await pending).toBe('PONG'); // sent again on the new connection
    expect(closes).toBe(1);
    // past the old connection's deadline: ioredis 5 would destroy the new one then (redis/ioredis#2147)
    await new Promise((res) => setTimeout(res, TIMEOUT_MS + 500));
    expect(await client.ping()).toBe('PONG');
    expect(closes).toBe(1);
    expect(lines.filter((l) => l.includes('redis connection lost'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('redis connection back'))).toHaveLength(1);
  } finally {
    client.disconnect();
  }
}, 30_000);
