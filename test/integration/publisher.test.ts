/**
 * KafkaPublisher against the real broker: a publish larger than the broker's record-batch limit
 * (message.max.bytes, 1 MiB by default) on a one-partition topic. Before MAX_SEND_BYTES the one
 * produce request carried it all in one batch and the broker refused it ("The request included a
 * message larger than the max message size the server will accept"), every time.
 */
import { createKafka } from '../../shared/adapters/kafka/client';
import { KafkaPublisher, MAX_SEND_BYTES } from '../../shared/adapters/kafka/publisher';
import { createLogger } from '../../shared/log';
import { collect, createTopics, deleteTopicsWithPrefix, topicSize } from './support/kafka';
import { BROKERS, uniq, waitFor } from './support/services';

const prefix = uniq('it-pub-');
const kafka = createKafka({ brokers: BROKERS.split(','), clientId: 'publisher-test' }, createLogger('publisher-test', 'silent'));
const publisher = new KafkaPublisher(kafka);

beforeAll(() => publisher.connect());
afterAll(async () => {
  await publisher.disconnect();
  await deleteTopicsWithPrefix(prefix);
});

test('1,000 Trend-sized messages (1.3 MB) to a one-partition topic: all land, each once', async () => {
  const topic = `${prefix}-one`;
  await createTopics([topic], 1);
  const messages = Array.from({ length: 1000 }, (_, i) => ({ key: `P${i}`, value: Buffer.alloc(1300, i % 256) }));
  expect(messages.length * 1300).toBeGreaterThan(1024 * 1024); // past the broker's default limit
  const got = await collect(topic);
  try {
    await publisher.publish(topic, messages);
    expect(await topicSize(topic)).toBe(1000);
    await waitFor('all consumed', async () => got.messages.length >= 1000, 60_000);
    const keys = got.messages.map((m) => m.key);
    expect(new Set(keys).size).toBe(1000);
    expect(got.messages.every((m) => m.value.length === 1300 && m.value[0] === Number(m.key!.slice(1)) % 256)).toBe(true);
  } finally {
    await got.stop();
  }
}, 90_000);

test('a message larger than a part goes alone, and is refused by the broker as it would be anyway', async () => {
  const topic = `${prefix}-big`;
  await createTopics([topic], 1);
  await publisher.publish(topic, [{ key: 'A', value: Buffer.alloc(MAX_SEND_BYTES + 10, 1) }, { key: 'B', value: Buffer.alloc(10, 2) }]);
  expect(await topicSize(topic)).toBe(2);
  await expect(publisher.publish(topic, [{ key: 'C', value: Buffer.alloc(2 * 1024 * 1024, 3) }])).rejects.toThrow(/cannot publish to .*larger than the max message size/);
});
