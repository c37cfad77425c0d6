/**
 * KafkaSubscriber on the real Kafka: chunks of a partition are handled in offset order while the
 * next ones are fetched; a chunk whose listener fails is fetched and handled again from its first
 * offset, nothing after it being committed first; stop() lets pending chunks finish and commit.
 */
import { Kafka, logLevel } from 'kafkajs';
import { KafkaSubscriber } from '../../shared/adapters/kafka/subscriber';
import { createLogger } from '../../shared/log';
import type { InboundMessage } from '../../shared/adapters/transport';
import { createTopics, deleteTopicsWithPrefix, groupLag, produce } from './support/kafka';
import { BROKERS, uniq, waitFor } from './support/services';

const prefix = uniq('sub');
const kafka = new Kafka({ clientId: 'sub-test', brokers: BROKERS.split(','), logLevel: logLevel.NOTHING });
const log = createLogger('subscriber-test', 'error');

afterAll(() => deleteTopicsWithPrefix(prefix));

async function committed(groupId: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Number(t.partitions[0].offset);
  } finally {
    await admin.disconnect();
  }
}

test.each([true, false])('ordered=%s: a failed chunk is handled again and every offset ends committed', async (ordered) => {
  const topic = `${prefix}-${ordered ? 'o' : 'u'}`;
  await createTopics([topic], 1);
  await produce(topic, Array.from({ length: 300 }, (_, i) => ({ key: 'k', value: Buffer.from(String(i)) })));
  const groupId = uniq('g-');
  const handled: number[][] = [];
  const commitsSeenAtFailure: number[] = [];
  let failed = false;
  const sub = new KafkaSubscriber(kafka, log, { chunkSize: 50, partitionsConcurrently: 1, maxBytesPerPartition: 1 << 20, maxPendingChunks: 3, ordered });
  const subscription = await sub.subscribe({ groupId, topics: [topic], fromBeginning: true }, async (msgs: InboundMessage[]) => {
    const values = msgs.map((m) => Number(m.value!.toString()));
    await new Promise((r) => setTimeout(r, 20));
    if (!failed && values[0] === 100) {
      failed = true;
      commitsSeenAtFailure.push(await committed(groupId, topic));
      throw new Error('store down');
    }
    handled.push(values);
  });
  try {
    await waitFor('all offsets committed', async () => (await groupLag(groupId, topic)) === 0 && failed, 60_000);
  } finally {
    await subscription.stop();
  }
  expect(failed).toBe(true);
  // when chunk 100..149 failed, nothing at or after it had been committed
  expect(commitsSeenAtFailure[0]).toBeLessThanOrEqual(100);
  const all = handled.flat();
  // every message was handled, the failed chunk (and possibly the ones after it) a second time
  expect(new Set(all).size).toBe(300);
  expect(all.filter((v) => v === 100)).toHaveLength(1);
  if (ordered) {
    // one chunk after the other: the first handling of each offset comes in offset order
    const firsts = all.filter((v, i) => all.indexOf(v) === i);
    expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
  }
  expect(await committed(groupId, topic)).toBe(300);
}, 90_000);

test('stop() lets the pending chunks finish and commit', async () => {
  const topic = `${prefix}-stop`;
  await createTopics([topic], 1);
  await produce(topic, Array.from({ length: 200 }, (_, i) => ({ key: 'k', value: Buffer.from(String(i)) })));
  const groupId = uniq('g-');
  let started = 0;
  let done = 0;
  const sub = new KafkaSubscriber(kafka, log, { chunkSize: 100, partitionsConcurrently: 1, maxBytesPerPartition: 1 << 20, maxPendingChunks: 2, ordered: true });
  const subscription = await sub.subscribe({ groupId, topics: [topic], fromBeginning: true }, async () => {
    started++;
    await new Promise((r) => setTimeout(r, 1500));
    done++;
  });
  await waitFor('a chunk in progress', async () => started > 0, 30_000, 20);
  await subscription.stop();
  // what had started was finished and its offsets committed before the consumer left
  expect(done).toBe(started);
  expect(await committed(groupId, topic)).toBe(done * 100);
}, 60_000);
