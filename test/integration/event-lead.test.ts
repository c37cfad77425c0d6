/**
 * An order with a wrong year, as a typo in a historical replay makes it (2013 for 2011, still in the
 * past for the wall-clock check), through the order consumer as its own process on Kafka and Redis:
 * it goes to the DLQ with the reason, the product keeps its history and the watermark does not move.
 */
import { codecFor } from '../../shared/avro/codec';
import type { OrderEvent } from '../../shared/domain/events';
import { collect, groupLag, produce } from './support/kafka';
import { startOrderConsumer, type OrderConsumerRun } from './support/order-consumer';
import { waitFor } from './support/services';

const D = 86_400_000;
const t0 = Date.UTC(2011, 0, 1);
const codec = codecFor<OrderEvent>('order');
let run: OrderConsumerRun;

const order = (sku: string, id: string, time: number, quantity: number): OrderEvent => ({
  eventId: id, eventTime: time, sku, orderId: id, kind: 'ORDER', quantity, unitPrice: 2, currency: 'GBP', customerId: null, country: null,
});
const send = (es: OrderEvent[]) => produce(run.topic, es.map((e) => ({ key: e.sku, value: codec.encode(e) })));

beforeAll(async () => {
  run = await startOrderConsumer('lead');
});
afterAll(async () => run?.close());

test('an order dated two years ahead of the stream is dead-lettered; the product history and the watermark stay', async () => {
  const dlq = await collect(`${run.topic}.dlq`);
  try {
    await send(Array.from({ length: 10 }, (_, d) => order('LEADA', `a${d}`, t0 + d * D + 3600_000, d + 1)));
    await waitFor('history stored', async () => (await groupLag(run.group, run.topic)) === 0 && (await run.store.watermark()) === t0 + 9 * D + 3600_000, 60_000);
    // the typo, then a genuine order of the next day: the typo must not make it 'late'
    await send([order('LEADA', 'typo', Date.UTC(2013, 0, 10, 1), 5), order('LEADA', 'a10', t0 + 10 * D + 3600_000, 11)]);
    await waitFor('DLQ message', async () => dlq.messages.length >= 1, 60_000);
    await waitFor('all consumed', async () => (await groupLag(run.group, run.topic)) === 0, 60_000);
    expect(dlq.messages).toHaveLength(1);
    expect(codec.decode(dlq.messages[0].value).value.eventId).toBe('typo');
    expect(dlq.messages[0].headers['dlq-reason']).toMatch(/eventTime 2013-01-10T01:00:00.000Z is 7\d\d\.\d days after the newest event time seen \(2011-01-10T01:00:00.000Z\)/);
    const [snap] = await run.store.read(['LEADA']);
    // 1 + 2 + ... + 11 on days 0..10, nothing lost, nothing from 2013
    expect(Array.from(snap.demand!.values)).toEqual(Array.from({ length: 11 }, (_, d) => d + 1));
    expect(snap.orderEvents).toBe(11);
    expect(await run.store.watermark()).toBe(t0 + 10 * D + 3600_000);
  } finally {
    await dlq.stop();
  }
});
