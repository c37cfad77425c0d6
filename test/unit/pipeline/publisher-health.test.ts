import type { Kafka } from 'kafkajs';
import { KafkaPublisher, PUBLISH_STALL_MS } from '../../../shared/adapters/kafka/publisher';

/** A producer whose sends the test settles by hand (the real one: test/integration/kafka-partition.test.ts). */
function stubKafka() {
  const sends: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const producer = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    send: () => new Promise<void>((resolve, reject) => sends.push({ resolve, reject })),
  };
  return { kafka: { producer: () => producer } as unknown as Kafka, sends };
}

describe('KafkaPublisher readiness (healthy)', () => {
  test('a send waiting past PUBLISH_STALL_MS makes it unready; its end makes it ready again', async () => {
    let now = 1_000_000;
    const { kafka, sends } = stubKafka();
    const p = new KafkaPublisher(kafka, () => now);
    expect(p.healthy).toBe(false); // not connected yet
    await p.connect();
    expect(p.healthy).toBe(true);
    const done = p.publish('t', [{ key: 'a', value: Buffer.from('x') }]);
    now += PUBLISH_STALL_MS;
    expect(p.healthy).toBe(true);
    now += 1;
    expect(p.healthy).toBe(false);
    sends[0].resolve();
    await done;
    expect(p.healthy).toBe(true);
  });

  test('a failed send makes it unready until one succeeds, or for PUBLISH_STALL_MS at most', async () => {
    let now = 5_000_000;
    const { kafka, sends } = stubKafka();
    const p = new KafkaPublisher(kafka, () => now);
    await p.connect();
    const failed = p.publish('t', [{ key: 'a', value: Buffer.from('x') }]);
    sends[0].reject(new Error('broker gone'));
    await expect(failed).rejects.toThrow(/cannot publish to t: broker gone/);
    expect(p.healthy).toBe(false);
    const ok = p.publish('t', [{ key: 'b', value: Buffer.from('y') }]);
    sends[1].resolve();
    await ok;
    expect(p.healthy).toBe(true);
    // a rare publisher (a DLQ) is not held unready by an old failure
    const again = p.publish('t', [{ key: 'c', value: Buffer.from('z') }]);
    sends[2].reject(new Error('broker gone'));
    await expect(again).rejects.toThrow();
    now += PUBLISH_STALL_MS;
    expect(p.healthy).toBe(false);
    now += 1;
    expect(p.healthy).toBe(true);
  });
});
