import type { Admin, Kafka } from 'kafkajs';
import type { PartitionOffsets } from './checkpoint-guard';

/** A partition's start and a group's committed offset, from an admin client made on first use. */
export function adminOffsets(kafka: Kafka, groupId: string): PartitionOffsets & { close(): Promise<void> } {
  let admin: Promise<Admin> | null = null;
  const get = () =>
    (admin ??= (async () => {
      const a = kafka.admin();
      await a.connect();
      return a;
    })().catch((err) => {
      admin = null; // the next call tries again
      throw err;
    }));
  return {
    async earliest(topic, partition) {
      const p = (await (await get()).fetchTopicOffsets(topic)).find((o) => o.partition === partition);
      if (!p) throw new Error(`no partition ${partition} in topic ${topic}`);
      return p.low;
    },
    async committed(topic, partition) {
      const [t] = await (await get()).fetchOffsets({ groupId, topics: [topic] });
      const o = t?.partitions.find((p) => p.partition === partition)?.offset;
      return o === undefined || Number(o) < 0 ? null : o;
    },
    async close() {
      const a = admin;
      admin = null;
      if (a) await (await a.catch(() => null))?.disconnect();
    },
  };
}
