import { Kafka, logLevel, Partitioners, type Consumer, type IHeaders } from 'kafkajs';
import { BROKERS } from './services';

export const kafka = new Kafka({ clientId: 'trendcast-test', brokers: BROKERS.split(','), logLevel: logLevel.NOTHING });

/** Each helper takes another cluster's client as its last argument (a broker of a test's own, say). */
export async function produce(topic: string, messages: { key: string; value: Buffer }[], client = kafka): Promise<void> {
  const p = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await p.connect();
  for (let i = 0; i < messages.length; i += 1000) await p.send({ topic, acks: -1, messages: messages.slice(i, i + 1000) });
  await p.disconnect();
}

export async function createTopics(topics: string[], numPartitions = 3, client = kafka): Promise<void> {
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions, replicationFactor: 1 })), waitForLeaders: true });
  await admin.disconnect();
}

export async function deleteTopicsWithPrefix(prefix: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  if (topics.length) await admin.deleteTopics({ topics }).catch(() => {});
  await admin.disconnect();
}

/** Total lag of a group on a topic: 0 once every produced message has been processed and committed. */
export async function groupLag(groupId: string, topic: string, client = kafka): Promise<number> {
  const admin = client.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return ends.reduce((sum, e) => {
      const c = committed.partitions.find((p) => p.partition === e.partition);
      const at = c && Number(c.offset) >= 0 ? Number(c.offset) : 0;
      return sum + Number(e.high) - at;
    }, 0);
  } finally {
    await admin.disconnect();
  }
}

/** Messages ever written to a topic (the sum of its partitions' end offsets). */
export async function topicSize(topic: string, client = kafka): Promise<number> {
  const admin = client.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

export interface Collected {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/** Reads a topic from the beginning in a throwaway group, collecting messages as they come. */
export async function collect(topic: string, client = kafka): Promise<{ messages: Collected[]; stop(): Promise<void> }> {
  const consumer: Consumer = client.consumer({ groupId: `collect-${topic}-${Math.random().toString(36).slice(2)}` });
  const messages: Collected[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      messages.push({ key: message.key?.toString() ?? '', value: message.value!, headers: headersOf(message.headers) });
    },
  });
  return { messages, stop: () => consumer.disconnect() };
}

function headersOf(h: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) if (v !== undefined) out[k] = String(Array.isArray(v) ? v[0] : v);
  return out;
}

/**
 * Raw kafkajs consumption: fetches a topic from the start until `n` messages have arrived (the
 * benchmark reference). `onJoined` is called once the group is joined, before the first fetch;
 * `onSeen` gets the running count after each batch.
 */
export async function collectCount(topic: string, n: number, onJoined?: () => void, onSeen?: (seen: number) => void): Promise<void> {
  const consumer = kafka.consumer({ groupId: `raw-${topic}-${Math.random().toString(36).slice(2)}`, maxBytesPerPartition: 4194304 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  // run() resolves once the group is joined; the fetches start after it
  await consumer.run({
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({ batch }) => {
      seen += batch.messages.length;
      onSeen?.(seen);
      if (seen >= n) done();
    },
  });
  onJoined?.();
  await all;
  await consumer.disconnect();
}
