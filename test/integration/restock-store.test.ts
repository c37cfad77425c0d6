/**
 * The restock handler and its Redis store on the real Redis: an alert decided but not published
 * (the publish failed, as in a crash) is re-sent on redelivery, exactly once; two instances deciding
 * on one product at the same moment open one alert, not two (compare-and-set).
 */
import { codecFor } from '../../shared/avro/codec';
import type { InventoryEvent, RestockAlert, Trend } from '../../shared/domain/events';
import { TrendcastError } from '../../shared/errors';
import { createLogger } from '../../shared/log';
import { MemoryBus } from '../../shared/adapters/memory/bus';
import type { OutboundMessage, Publisher } from '../../shared/adapters/transport';
import { RestockHandler } from '../../services/restock-trigger/handler';
import { RestockStore } from '../../services/restock-trigger/store';
import { deleteKeysWithPrefix } from './support/redis';
import { REDIS_URL, uniq } from './support/services';
import { withRetry } from '../../shared/retry';

const D = 86_400_000;
const keyPrefix = uniq('itrs');
const codec = codecFor<RestockAlert>('restock-alert');
const log = createLogger('test', 'silent');
const origin = Date.UTC(2011, 10, 20);
const stores: RestockStore[] = [];

const trend = (sku: string, perDay: number, generatedAt = 1_700_000_000_000): Trend => ({
  sku, generatedAt, basedOnEventTime: origin, bucketMs: D,
  horizon: Array.from({ length: 7 }, (_, i) => ({ step: i + 1, bucketStart: origin + i * D, p10: 0, p50: perDay / 2, p90: perDay })),
  direction: 'FLAT', slope: 0, level: perDay / 2, model: 'm', modelVersion: 'v', category: null, leadP90: [],
});
const stock = (sku: string, onHand: number): InventoryEvent => ({ eventId: `i-${sku}-${onHand}`, eventTime: origin, sku, onHand, onOrder: 0, leadTimeDays: 3 });

/** Fails its first `failures` publishes the way a broker outage does, then delivers to the bus. */
class FlakyPublisher implements Publisher {
  constructor(readonly bus: MemoryBus, private failures: number) {}
  async publish(topic: string, messages: OutboundMessage[]): Promise<void> {
    if (this.failures-- > 0) throw new TrendcastError('BROKER_UNAVAILABLE', 'broker down', { retriable: true });
    await this.bus.publish(topic, messages);
  }
}

async function handler(publisher: Publisher, outboxGraceMs: number): Promise<{ h: RestockHandler; store: RestockStore }> {
  const store = new RestockStore(REDIS_URL, keyPrefix);
  await store.connect();
  stores.push(store);
  return { h: new RestockHandler(store, publisher, 'alerts', codec, { rule: { resolveMargin: 0.1 }, outboxGraceMs }, log, { emitted: () => {} }), store };
}
/** As the stage calls a handler: transient failures retried with backoff. */
const retried = <T>(fn: () => Promise<T>) => withRetry(fn, { retries: 30, initialMs: 10, maxMs: 100 });
const alerts = (bus: MemoryBus) => (bus.topics.get('alerts') ?? []).map((m) => codec.decode(m.value).value);

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await deleteKeysWithPrefix(keyPrefix);
});

test('an alert whose publish failed stays in the outbox and is sent once on redelivery', async () => {
  const bus = new MemoryBus();
  const { h, store } = await handler(new FlakyPublisher(bus, 1), 300);
  await h.onStock([stock('OUT', 5)]);
  await expect(h.onTrends([trend('OUT', 4)])).rejects.toThrow(/broker down/);
  const after = await store.load('OUT');
  expect(after.state.alert?.state).toBe('OPEN');
  expect(after.outbox).toHaveLength(1);
  expect(alerts(bus)).toHaveLength(0);
  // redelivered at once, the queued alert may still be in flight elsewhere: left alone, retried
  await expect(h.onTrends([trend('OUT', 4)])).rejects.toThrow(/being published by another call/);
  expect(alerts(bus)).toHaveLength(0);
  // redelivered after the grace: the input is stale now, the abandoned alert goes out
  await new Promise((r) => setTimeout(r, 350));
  const r = await h.onTrends([trend('OUT', 4)]);
  expect(r).toEqual({ applied: 0, duplicates: 1, tooLate: 0 });
  const queued = codec.decode(Buffer.from(after.outbox[0].split('|')[1], 'base64')).value;
  expect(alerts(bus)).toEqual([queued]);
  expect(queued).toMatchObject({ sku: 'OUT', state: 'OPEN', demandP90: 12, available: 5 });
  expect((await store.load('OUT')).outbox).toEqual([]);
  await h.onTrends([trend('OUT', 4)]);
  expect(alerts(bus)).toHaveLength(1);
});

test('concurrent decisions on one product open a single alert', async () => {
  const bus = new MemoryBus();
  const instances = await Promise.all([0, 1, 2, 3].map(() => handler(bus, 10_000)));
  await instances[0].h.onStock([stock('RACE', 1)]);
  // four instances apply four different newer trends at once; each would open an alert on its own read
  await Promise.all(instances.map(({ h }, i) => retried(() => h.onTrends([trend('RACE', 4, 1_700_000_000_000 + i)]))));
  expect(alerts(bus).filter((a) => a.state === 'OPEN')).toHaveLength(1);
  const final = await instances[0].store.load('RACE');
  expect(final.state.trend?.generatedAt).toBe(1_700_000_000_003);
  expect(final.version).toBeGreaterThanOrEqual(2);
  expect(final.outbox).toEqual([]);
});
