/**
 * ThreadedPublisher (the forecaster's default, PUBLISH_THREAD) against the real broker: its kafkajs
 * producer runs on a worker thread. Every message lands once, intact, on the partition the
 * main-thread KafkaPublisher picks for its key; a refused publish fails as a retriable
 * BROKER_UNAVAILABLE and makes it unready until one succeeds; should the thread die, the next
 * publishes go through the main thread.
 */
import type { Consumer } from 'kafkajs';
import { createKafka } from '../../shared/adapters/kafka/client';
import { KafkaPublisher, MAX_SEND_BYTES } from '../../shared/adapters/kafka/publisher';
import { ThreadedPublisher } from '../../shared/adapters/kafka/threaded-publisher';
import { createLogger, type Logger } from '../../shared/log';
import { createTopics, deleteTopicsWithPrefix, kafka, topicSize } from './support/kafka';
import { BROKERS, uniq, waitFor } from './support/services';

const prefix = uniq('it-tpub-');
const settings = { brokers: BROKERS.split(','), clientId: 'tpub-test' };
const warnings: string[] = [];
const silent = createLogger('tpub-test', 'silent');
const log: Logger = { ...silent, warn: (m: string) => void warnings.push(m) };
const threaded = new ThreadedPublisher(settings, log, { service: 'tpub-test', logLevel: 'silent' });
const inProcess = new KafkaPublisher(createKafka(settings, silent));

beforeAll(async () => {
  await Promise.all([threaded.connect(), inProcess.connect()]);
});
afterAll(async () => {
  await Promise.all([threaded.disconnect(), inProcess.disconnect()]);
  await deleteTopicsWithPrefix(prefix);
});

/** Every message of a topic with its partition, read from the start. */
async function partitionsOf(topic: string, n: number): Promise<Map<string, { partition: number; value: Buffer }[]>> {
  const consumer: Consumer = kafka.consumer({ groupId: `${topic}-check` });
  const seen = new Map<string, { partition: number; value: Buffer }[]>();
  let count = 0;
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const k = message.key!.toString();
      seen.set(k, [...(seen.get(k) ?? []), { partition, value: message.value! }]);
      count++;
    },
  });
  try {
    await waitFor(`${n} messages of ${topic}`, async () => count >= n, 60_000);
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

test('2,000 Trend-sized messages (2.6 MB, several requests) on 3 partitions: each once, intact, on the partition the main-thread publisher picks', async () => {
  const [a, b] = [`${prefix}-a`, `${prefix}-b`];
  await createTopics([a, b], 3);
  const messages = Array.from({ length: 2000 }, (_, i) => ({ key: `SKU-${i}`, value: Buffer.alloc(1300, i % 251) }));
  expect(messages.length * 1300).toBeGreaterThan(2 * MAX_SEND_BYTES);
  await Promise.all([threaded.publish(a, messages.slice(0, 1000)), threaded.publish(a, messages.slice(1000))]);
  await inProcess.publish(b, messages);
  const [got, ref] = await Promise.all([partitionsOf(a, 2000), partitionsOf(b, 2000)]);
  expect(got.size).toBe(2000);
  for (const m of messages) {
    const g = got.get(m.key)!;
    expect([m.key, g.length, g[0].value.equals(m.value)]).toEqual([m.key, 1, true]);
    expect([m.key, g[0].partition]).toEqual([m.key, ref.get(m.key)![0].partition]);
  }
  expect(new Set([...got.values()].map((g) => g[0].partition)).size).toBe(3);
  expect(threaded.healthy).toBe(true);
}, 120_000);

test('a publish the broker refuses fails as retriable BROKER_UNAVAILABLE naming the topic, and the publisher is unready until one succeeds', async () => {
  const topic = `${prefix}-big`;
  await createTopics([topic], 1);
  const err = await threaded.publish(topic, [{ key: 'C', value: Buffer.alloc(2 * 1024 * 1024, 3) }]).then(() => null, (e: unknown) => e);
  expect(err).toMatchObject({ code: 'BROKER_UNAVAILABLE', retriable: true });
  expect((err as Error).message).toMatch(new RegExp(`cannot publish to ${topic}: .*larger than the max message size`));
  expect(threaded.healthy).toBe(false);
  await threaded.publish(topic, [{ key: 'D', value: Buffer.from('ok') }]);
  expect(threaded.healthy).toBe(true);
  expect(await topicSize(topic)).toBe(1);
}, 60_000);

test('the thread dies: a warning, threadAlive false (the thread gauge reads 0), and the next publishes land from the main thread', async () => {
  const own = new ThreadedPublisher(settings, log, { service: 'tpub-test', logLevel: 'silent' });
  await own.connect();
  const topic = `${prefix}-dead`;
  await createTopics([topic], 3);
  try {
    await own.publish(topic, [{ key: 'before', value: Buffer.from('1') }]);
    expect(own.threadAlive).toBe(true);
    await (own as unknown as { thread: { worker: { terminate(): Promise<number> } } }).thread.worker.terminate();
    await waitFor('the thread seen dead', async () => !own.threadAlive, 10_000);
    expect(warnings.some((w) => /publisher thread stopped; publishing from the main thread/.test(w))).toBe(true);
    await own.publish(topic, [{ key: 'after1', value: Buffer.from('2') }, { key: 'after2', value: Buffer.from('3') }]);
    expect(own.healthy).toBe(true);
    const got = await partitionsOf(topic, 3);
    expect([...got.keys()].sort()).toEqual(['after1', 'after2', 'before']);
  } finally {
    await own.disconnect();
  }
}, 60_000);
