/**
 * A failure that repeats on every try, on the real Redis, through the order consumer as its own
 * process: one product's state key holds the wrong type (as a stray manual write leaves it), so its
 * script fails the same way each time. Its orders go to the DLQ as HANDLER_FAILED; the orders of the
 * other products, fetched in the same chunks, are stored, and the partition does not stall.
 */
import Redis from 'ioredis';
import { codecFor } from '../../shared/avro/codec';
import type { OrderEvent } from '../../shared/domain/events';
import { collect, groupLag, produce } from './support/kafka';
import { startOrderConsumer, type OrderConsumerRun } from './support/order-consumer';
import { REDIS_URL, waitFor } from './support/services';

const D = 86_400_000;
const t0 = Date.UTC(2011, 0, 1);
const codec = codecFor<OrderEvent>('order');
let run: OrderConsumerRun;

const order = (sku: string, i: number): OrderEvent => ({
  eventId: `${sku}-${i}`, eventTime: t0 + i * D + 60_000, sku, orderId: `o${i}`, kind: 'ORDER', quantity: 2, unitPrice: 1, currency: 'GBP', customerId: null, country: null,
});

beforeAll(async () => {
  // retries kept short: the failure is permanent, only the isolation is under test
  run = await startOrderConsumer('hf', { RETRY_COUNT: '1', RETRY_INITIAL_MS: '5', RETRY_MAX_MS: '10' }, async (keyPrefix) => {
    const r = new Redis(REDIS_URL);
    await r.set(`${keyPrefix}:{BROKEN}:state`, 'not a hash');
    await r.quit();
  });
});
afterAll(async () => run?.close());

test("a product whose key has the wrong type: its orders are dead-lettered with the error, the others' are stored", async () => {
  const dlq = await collect(`${run.topic}.dlq`);
  try {
    const events = Array.from({ length: 30 }, (_, i) => order(['OK1', 'BROKEN', 'OK2'][i % 3], i));
    await produce(run.topic, events.map((e) => ({ key: e.sku, value: codec.encode(e) })));
    await waitFor('all consumed', async () => (await groupLag(run.group, run.topic)) === 0, 60_000);
    await waitFor('DLQ messages', async () => dlq.messages.length >= 10, 30_000);
    expect(dlq.messages.map((m) => codec.decode(m.value).value.eventId).sort()).toEqual(events.filter((e) => e.sku === 'BROKEN').map((e) => e.eventId).sort());
    for (const m of dlq.messages) {
      expect(m.headers['dlq-code']).toBe('HANDLER_FAILED');
      expect(m.headers['dlq-reason']).toMatch(/WRONGTYPE/);
    }
    const [ok1, ok2] = await run.store.read(['OK1', 'OK2']);
    expect(ok1.orderEvents).toBe(10);
    expect(ok2.orderEvents).toBe(10);
    expect(Array.from(ok1.demand!.values).reduce((a, b) => a + b, 0)).toBe(20);
    const metrics = await fetch(`http://127.0.0.1:${run.svc.port}/metrics`).then((r) => r.text());
    const line = (name: string) => metrics.split('\n').find((l) => l.startsWith(name) && l.includes(`topic="${run.topic}"`) && (!l.includes('outcome=') || l.includes('outcome="dlq"')));
    expect(line('trendcast_events_consumed_total')).toMatch(/ 10$/);
    expect(line('trendcast_dlq_messages_total')).toMatch(/ 10$/);
  } finally {
    await dlq.stop();
  }
});
