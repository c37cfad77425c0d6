/**
 * Failures a consumer must come through, on the real Kafka and Redis with the order consumer as its
 * own process: killed (SIGKILL) between storing a chunk and committing it, and Redis going away in
 * the middle of a stream. Either way the state must end exactly as the recomputation from the
 * events says (nothing lost, nothing counted twice), and no valid event may be dead-lettered.
 */
import { codecFor } from '../../shared/avro/codec';
import type { OrderEvent } from '../../shared/domain/events';
import { groupLag, kafka, produce } from './support/kafka';
import { DEFAULT_SERIES, startOrderConsumer, type OrderConsumerRun } from './support/order-consumer';
import { startOwnRedis, type OwnRedis } from './support/own-redis';
import { expectOrderState, fixtureEvents } from './support/retail';
import { getJson, waitFor } from './support/services';

const codec = codecFor<OrderEvent>('order');
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

/** In parts, so the topic holds many record batches (a fetch then returns a part, not everything). */
async function produceInParts(topic: string, events: OrderEvent[], part = 500): Promise<void> {
  for (let i = 0; i < events.length; i += part) await produce(topic, events.slice(i, i + part).map((e) => ({ key: e.sku, value: codec.encode(e) })));
}

const appliedCount = async (r: OrderConsumerRun) => (await r.store.read(skus)).reduce((n, s) => n + s.orderEvents, 0);

async function expectExactState(r: OrderConsumerRun, events: OrderEvent[]): Promise<void> {
  const bySku = new Map<string, OrderEvent[]>();
  for (const o of events) bySku.set(o.sku, [...(bySku.get(o.sku) ?? []), o]);
  for (const snap of await r.store.read(skus)) expectOrderState(snap, bySku.get(snap.sku)!, DEFAULT_SERIES);
}

async function dlqSize(topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(`${topic}.dlq`)).reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

const counter = (metrics: string, topic: string, outcome: string) =>
  Number(new RegExp(`trendcast_events_consumed_total\\{topic="${topic}",outcome="${outcome}",service="order-consumer"\\} (\\d+)`).exec(metrics)?.[1] ?? NaN);

test('killed with SIGKILL mid-stream and started again: every event is counted exactly once', async () => {
  // small chunks, each committed on its own: the kill lands between many store-then-commit steps.
  // A short session timeout lets the restarted member take the dead one's partitions in seconds.
  // The whole backlog is there before the consumer starts, so the kill cannot land after its end.
  run = await startOrderConsumer('crash', { CONSUMER_CHUNK_SIZE: '10', CONSUMER_SESSION_TIMEOUT_MS: '6000' }, (_, topic) => produceInParts(topic, orders));
  const r = run;
  const total = orders.length;
  await waitFor('a quarter of the events committed', async () => total - (await groupLag(r.group, r.topic)) >= total / 4, 120_000, 10);
  r.svc.proc.kill('SIGKILL');
  await r.svc.stop(); // waits for the exit
  await new Promise((res) => setTimeout(res, 500)); // what the dead process had sent Redis is done
  const committed = total - (await groupLag(r.group, r.topic));
  const applied = await appliedCount(r);
  expect(committed).toBeLessThan(total);
  // offsets follow effects: every committed event is stored (some stored ones are not yet committed)
  expect(applied).toBeGreaterThanOrEqual(committed);

  const again = await r.restart();
  await waitFor('everything applied and committed', async () => (await groupLag(r.group, r.topic)) === 0 && (await appliedCount(r)) === total, 120_000);
  await expectExactState(r, orders);
  const metrics = (await getJson(again.port, '/metrics')).body;
  // the restarted process read again from the last commit: what the dead one stored past it is known
  expect(counter(metrics, r.topic, 'duplicate')).toBe(applied - committed);
  expect(counter(metrics, r.topic, 'ok')).toBe(total - applied);
  expect(await dlqSize(r.topic)).toBe(0);
}, 240_000);

test('Redis goes away mid-stream: the consumer is not ready, keeps retrying, then stores every event once', async () => {
  redis = await startOwnRedis();
  const own = redis;
  // few retries with short backoffs: the outage outlasts them, so the chunk is also fetched again
  run = await startOrderConsumer('redisdown', { REDIS_URL: own.url, RETRY_COUNT: '2', RETRY_INITIAL_MS: '100', RETRY_MAX_MS: '400' });
  const r = run;
  const half = Math.floor(orders.length / 2);
  await produceInParts(r.topic, orders.slice(0, half));
  await waitFor('the first half applied and committed', async () => (await appliedCount(r)) === half && (await groupLag(r.group, r.topic)) === 0, 120_000);

  await own.stop();
  await produceInParts(r.topic, orders.slice(half));
  await waitFor('readiness reports Redis gone', async () => (await getJson(r.svc.port, '/readyz')).status === 503, 30_000);
  await waitFor('a chunk given up and fetched again', async () => r.svc.logs.some((l) => l.includes('chunk failed; fetching it again')), 60_000);
  expect(r.svc.logs.some((l) => l.includes('retrying batch') && l.includes('STORE_UNAVAILABLE'))).toBe(true);
  expect(r.svc.proc.exitCode).toBeNull();
  expect(await groupLag(r.group, r.topic)).toBe(orders.length - half); // nothing committed meanwhile

  await own.start();
  await waitFor('everything applied and committed', async () => (await groupLag(r.group, r.topic)) === 0 && (await appliedCount(r)) === orders.length, 120_000);
  expect((await getJson(r.svc.port, '/readyz')).status).toBe(200);
  await expectExactState(r, orders);
  expect(await dlqSize(r.topic)).toBe(0);
  expect(r.svc.proc.exitCode).toBeNull();
}, 240_000);
