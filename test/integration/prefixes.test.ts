/**
 * Two deployments on one Kafka and Redis under different TOPIC_PREFIX / KEY_PREFIX, each with the
 * default consumer group: both consume their own topic. (With one shared group id, the group's
 * leader would assign only its own topics and the other deployment would get nothing.)
 */
import { codecFor } from '../../shared/avro/codec';
import type { OrderEvent } from '../../shared/domain/events';
import { groupLag, produce } from './support/kafka';
import { startOrderConsumer, type OrderConsumerRun } from './support/order-consumer';
import { waitFor } from './support/services';

const codec = codecFor<OrderEvent>('order');
const runs: OrderConsumerRun[] = [];
const order = (i: number): OrderEvent => ({
  eventId: `p${i}`, eventTime: Date.UTC(2011, 0, 1) + i * 3600_000, sku: `S${i % 4}`, orderId: `o${i}`, kind: 'ORDER', quantity: 1, unitPrice: 1, currency: 'GBP', customerId: null, country: null,
});

beforeAll(async () => {
  // CONSUMER_GROUP '' = the default, <TOPIC_PREFIX>trendcast-order-consumer
  for (const tag of ['pa', 'pb']) runs.push(await startOrderConsumer(tag, { CONSUMER_GROUP: '' }));
});
afterAll(async () => Promise.all(runs.map((r) => r.close())));

test('each deployment, with the default group, consumes its own topic', async () => {
  for (const r of runs) await produce(r.topic, Array.from({ length: 20 }, (_, i) => ({ key: order(i).sku, value: codec.encode(order(i)) })));
  for (const r of runs) {
    const group = `${r.topic.replace(/orders$/, '')}trendcast-order-consumer`;
    const counts = async () => (await r.store.read(['S0', 'S1', 'S2', 'S3'])).map((s) => s.orderEvents);
    await waitFor(`${r.topic} stored`, async () => (await counts()).every((n) => n === 5), 60_000);
    expect(await counts()).toEqual([5, 5, 5, 5]);
    // and committed under the default group of its own prefix
    await waitFor(`${group} committed`, async () => (await groupLag(group, r.topic)) === 0, 30_000);
  }
});
