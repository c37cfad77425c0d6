/**
 * A network partition between the order consumer and the Kafka broker (packets stop, no socket is
 * closed), as opposed to the broker stopped (broker-outage.test.ts). A broker of the test's own
 * advertises the port of a TCP proxy in front of it (support/tcp-proxy.ts), so every connection
 * the clients make after the first metadata request goes through the proxy, which the test
 * partitions mid-backlog for twice the session timeout: the group evicts the member meanwhile,
 * and after the heal its commits are refused and its partitions handed out again. The consumer
 * must stay up, dead-letter nothing, report itself not ready (Kafka) while cut off, and end with
 * each event stored once; once idle after the heal it stays ready. The commits refused after the
 * heal (one per chunk that was in flight: 459 lines in a 90 s run before) are logged once per reason
 * per 30 s, with a `repeated` count.
 */
import { PUBLISH_STALL_MS } from '../../shared/adapters/kafka/publisher';
import { RedisStateStore } from '../../shared/adapters/redis/state-store';
import { createTopics, groupLag, topicSize } from './support/kafka';
import { startQuickForecaster, trendsCaughtUp, twoHalves, watchTrends } from './support/forecasts';
import { DEFAULT_SERIES } from './support/order-consumer';
import { startOwnKafka, type OwnKafka } from './support/own-kafka';
import { deleteKeysWithPrefix } from './support/redis';
import { appliedOrders, expectExactOrderState, fixtureEvents, produceOrders } from './support/retail';
import { freePort, getJson, REDIS_URL, startService, uniq, waitFor, type RunningService } from './support/services';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy';

const SESSION_TIMEOUT_MS = 6000;
/** The subscriber's readiness allows a session timeout plus 6 s without a fetch or heartbeat. */
const NOT_READY_WITHIN_MS = SESSION_TIMEOUT_MS + 6000 + 4000;
const prefix = uniq('it-kpart-');
const keyPrefix = uniq('itkpart');
const topic = `${prefix}-orders`;
const group = `${prefix}-g`;
let broker: OwnKafka | undefined;
let proxy: TcpProxy | undefined;
let store: RedisStateStore | undefined;
let svc: RunningService | undefined;

const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  proxy?.heal();
  await svc?.stop();
  await store?.close();
  await deleteKeysWithPrefix(keyPrefix);
  await proxy?.close();
  await broker?.close();
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

test('the broker partitioned away mid-backlog past the session timeout: the consumer stays up, then stores every event once', async () => {
  const orders = (await fixtureEvents(Infinity)).orders;
  const skus = [...new Set(orders.map((o) => o.sku))];
  const proxyPort = await freePort();
  broker = await startOwnKafka({ advertisedPort: proxyPort });
  const p = (proxy = await startTcpProxy({ host: '127.0.0.1', port: broker.port }, proxyPort));
  const s = (store = new RedisStateStore(REDIS_URL, keyPrefix, DEFAULT_SERIES));
  await s.connect();
  await createTopics([topic, `${topic}.dlq`], 3, broker.kafka);
  await produceOrders(topic, orders, broker.kafka);
  const consumer = (svc = await startService('order-consumer', {
    KAFKA_BROKERS: `127.0.0.1:${proxyPort}`, TOPIC_PREFIX: `${prefix}-`, KEY_PREFIX: keyPrefix, CONSUMER_GROUP: group,
    CONSUMER_CHUNK_SIZE: '25', RETRY_MAX_MS: '1000', CONSUMER_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
  }));
  await waitFor('a quarter of the events stored', async () => (await appliedOrders(s, skus)) >= orders.length / 4, 120_000, 20);
  expect(p.accepted).toBeGreaterThan(0); // the consumer's connections do go through the proxy

  p.partition();
  const t0 = Date.now();
  // a partition closes no socket: readiness goes once the broker has not answered for too long
  await waitFor('readiness reports Kafka unreachable', async () => {
    const r = await getJson(consumer.port, '/readyz');
    const { checks } = JSON.parse(r.body) as { checks: Record<string, boolean> };
    return r.status === 503 && checks.kafka === false && checks.redis === true;
  }, NOT_READY_WITHIN_MS, 100);
  console.log(`kafka partition -> /readyz 503 after ${Date.now() - t0} ms (session timeout ${SESSION_TIMEOUT_MS} ms)`);
  // what was fetched before may still be stored; after that, nothing arrives
  const stored = await appliedOrders(s, skus);
  expect(stored).toBeLessThan(orders.length);
  await new Promise((res) => setTimeout(res, SESSION_TIMEOUT_MS));
  expect(await appliedOrders(s, skus)).toBe(stored);
  expect(consumer.proc.exitCode).toBeNull();

  p.heal();
  await waitFor('everything stored and committed', async () => (await appliedOrders(s, skus)) === orders.length && (await groupLag(group, topic, broker!.kafka)) === 0, 90_000, 250);
  await expectExactOrderState(s, orders, DEFAULT_SERIES);
  expect(await topicSize(`${topic}.dlq`, broker.kafka)).toBe(0);
  expect(consumer.proc.exitCode).toBeNull();
  // the group did evict the member while it was cut off (what this test is about)
  expect(consumer.logs.some((l) => l.includes('The coordinator is not aware of this member'))).toBe(true);
  const commitWarnings = consumer.logs.filter((l) => l.includes('offset commit failed'));
  console.log(`${commitWarnings.length} 'offset commit failed' lines: ${commitWarnings.map((l) => JSON.parse(l).repeated ?? 0).join(', ')} repeats`);
  expect(commitWarnings.length).toBeGreaterThan(0);
  expect(commitWarnings.length).toBeLessThanOrEqual(4); // a few distinct reasons at most
  // ready again; and an idle consumer (nothing left to fetch) stays ready past the staleness limit:
  // its long polls and heartbeats count as contact
  await waitFor('ready again', async () => (await getJson(consumer.port, '/readyz')).status === 200, 30_000, 100);
  const notReady: number[] = [];
  for (const until = Date.now() + NOT_READY_WITHIN_MS; Date.now() < until; await new Promise((res) => setTimeout(res, 250))) {
    const r = await getJson(consumer.port, '/readyz');
    if (r.status !== 200) notReady.push(r.status);
  }
  expect(notReady).toEqual([]);
}, 240_000);

test('the forecaster cut off from the broker: not ready within seconds, alive, and the changes are published after the heal', async () => {
  const orders = (await fixtureEvents(Infinity)).orders;
  const { before, after } = twoHalves(orders, [...new Set(orders.map((o) => o.sku))]);
  const fPrefix = uniq('it-kpartf-');
  const fKeys = uniq('itkpartf');
  const proxyPort = await freePort();
  const own = await startOwnKafka({ advertisedPort: proxyPort });
  cleanups.push(() => own.close());
  const p = await startTcpProxy({ host: '127.0.0.1', port: own.port }, proxyPort);
  cleanups.push(async () => {
    p.heal();
    await p.close();
  });
  const s = new RedisStateStore(REDIS_URL, fKeys, DEFAULT_SERIES);
  await s.connect();
  cleanups.push(async () => {
    await s.close();
    await deleteKeysWithPrefix(fKeys);
  });
  await s.applyOrders(before);
  const topic = `${fPrefix}-trends`;
  await createTopics([topic], 3, own.kafka);
  const trends = await watchTrends(topic, own.kafka);
  cleanups.push(() => trends.stop());
  const f = await startQuickForecaster({ prefix: fPrefix, keyPrefix: fKeys }, { KAFKA_BROKERS: `127.0.0.1:${proxyPort}` });
  cleanups.push(async () => {
    await f.stop();
  });
  await trendsCaughtUp(trends.latest, before, 'a trend per product', 90_000);
  expect((await getJson(f.port, '/readyz')).status).toBe(200);

  p.partition();
  const t0 = Date.now();
  // a change to publish: the send waits on the partitioned broker
  await s.applyOrders(after);
  await waitFor('readiness reports Kafka unreachable', async () => {
    const r = await getJson(f.port, '/readyz');
    const { checks } = JSON.parse(r.body) as { checks: Record<string, boolean> };
    return r.status === 503 && checks.kafka === false && checks.redis === true;
  }, PUBLISH_STALL_MS + 8000, 100);
  console.log(`forecaster: kafka partition -> /readyz 503 after ${Date.now() - t0} ms`);
  expect(f.proc.exitCode).toBeNull();

  p.heal();
  await trendsCaughtUp(trends.latest, after, 'the changed products published', 90_000);
  await waitFor('ready again', async () => (await getJson(f.port, '/readyz')).status === 200, 30_000, 100);
  expect(f.proc.exitCode).toBeNull();
}, 240_000);
