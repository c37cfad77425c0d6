// kafkajs 2.2.4 against the broker started by `scripts/infra.sh up` (Kafka 4.x from Maven Central).
// kafkajs's own CI stopped at Kafka 2.4 and Kafka 4 dropped old protocol versions (KIP-896), so this
// proves each API the pipeline relies on, on throw-away topic and group names.
import { randomBytes } from 'node:crypto';
import { Admin, Consumer, EachMessagePayload, Kafka, logLevel, Partitioners, Producer } from 'kafkajs';

// jest 29 ignores a per-project testTimeout, so the file sets its own.
jest.setTimeout(60000);

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = new Kafka({ clientId: 'kafka-compat-test', brokers, logLevel: logLevel.NOTHING });
const suffix = () => randomBytes(5).toString('hex');

let admin: Admin;
const topic = `compat-${suffix()}`;
const groupId = `compat-group-${suffix()}`;
const producers: Producer[] = [];
const consumers: Consumer[] = [];

function newProducer(idempotent = false): Producer {
  const p = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent, maxInFlightRequests: idempotent ? 1 : undefined });
  producers.push(p);
  return p;
}

function newConsumer(): Consumer {
  const c = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 1000, maxWaitTimeInMs: 250 });
  consumers.push(c);
  return c;
}

// Runs a consumer until `count` messages arrived; resolves with them (consumer left running).
async function consumeN(consumer: Consumer, count: number, timeoutMs = 30000): Promise<EachMessagePayload[]> {
  const got: EachMessagePayload[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${got.length}/${count} messages in ${timeoutMs} ms`)), timeoutMs);
    consumer
      .run({
        autoCommit: false,
        eachMessage: async (payload) => {
          got.push(payload);
          if (got.length === count) {
            clearTimeout(timer);
            resolve(got);
          }
        },
      })
      .catch(reject);
  });
}

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  for (const c of consumers) await c.disconnect().catch(() => undefined);
  for (const p of producers) await p.disconnect().catch(() => undefined);
  await admin.deleteGroups([groupId]).catch(() => undefined);
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

test('admin creates a topic with 3 partitions and lists it', async () => {
  const created = await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  expect(created).toBe(true);
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  expect(meta.topics[0].partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
  expect(await admin.listTopics()).toContain(topic);
});

test('produce, join a group, consume all, commit and fetch committed offsets', async () => {
  const producer = newProducer();
  await producer.connect();
  const keys = Array.from({ length: 30 }, (_, i) => `sku-${i}`);
  await producer.send({ topic, messages: keys.map((k, i) => ({ key: k, value: `v${i}` })) });

  const consumer = newConsumer();
  const joined = new Promise<number>((resolve) => consumer.on(consumer.events.GROUP_JOIN, (e) => resolve(e.payload.memberAssignment[topic]?.length ?? 0)));
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const got = await consumeN(consumer, keys.length);
  expect(await joined).toBe(3); // the single member is assigned all 3 partitions
  expect(got.map((m) => m.message.key?.toString()).sort()).toEqual([...keys].sort());
  // Same key -> same partition (the pipeline's ordering guarantee rests on it).
  const partitionsOf = new Set(got.filter((m) => m.message.key?.toString() === 'sku-7').map((m) => m.partition));
  expect(partitionsOf.size).toBe(1);

  const next = new Map<number, string>();
  for (const m of got) next.set(m.partition, (BigInt(m.message.offset) + 1n).toString());
  await consumer.commitOffsets([...next].map(([partition, offset]) => ({ topic, partition, offset })));

  const high = await admin.fetchTopicOffsets(topic);
  const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
  const byPartition = Object.fromEntries(committed[0].partitions.map((p) => [p.partition, p.offset]));
  for (const h of high) expect(byPartition[h.partition]).toBe(h.high);
  expect(high.reduce((s, h) => s + Number(h.high), 0)).toBe(keys.length);
  await consumer.disconnect();
});

test('a new group member resumes after the committed offsets', async () => {
  const producer = newProducer(true); // idempotent producer: InitProducerId + sequence numbers
  await producer.connect();
  await producer.send({ topic, messages: [{ key: 'sku-late', value: 'after-commit' }] });
  const consumer = newConsumer();
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const got = await consumeN(consumer, 1);
  expect(got[0].message.value?.toString()).toBe('after-commit');
  // Give a wrongly rewound consumer time to deliver the old messages too: none may come.
  await new Promise((r) => setTimeout(r, 1500));
  expect(got).toHaveLength(1);
  const description = await admin.describeGroups([groupId]);
  expect(description.groups[0].members).toHaveLength(1);
  await consumer.disconnect();
});

test('deleteTopics removes the topic', async () => {
  const other = `compat-del-${suffix()}`;
  await admin.createTopics({ topics: [{ topic: other, numPartitions: 1 }], waitForLeaders: true });
  await admin.deleteTopics({ topics: [other] });
  const deadline = Date.now() + 10000;
  while ((await admin.listTopics()).includes(other) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  expect(await admin.listTopics()).not.toContain(other);
});
