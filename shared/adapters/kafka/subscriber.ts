import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from '../../log';
import type { BatchListener, InboundMessage, Subscriber, Subscription } from '../transport';

export interface KafkaSubscriberOptions {
  /** Messages handed to the listener at once; a fetched batch is cut into chunks of this size. */
  chunkSize: number;
  partitionsConcurrently: number;
  maxBytesPerPartition: number;
}

/**
 * Consumer-group subscription with manual commits: the offset after a chunk is committed only once
 * the listener has resolved, i.e. after the chunk's effects (state, DLQ) are stored. A listener that
 * throws leaves its offsets uncommitted; kafkajs restarts the consumer and the chunk is redelivered,
 * which the idempotent stores absorb.
 */
export class KafkaSubscriber implements Subscriber {
  readonly consumers: Consumer[] = [];
  /** True once every subscription has joined its group (readiness). */
  joined = false;
  constructor(private readonly kafka: Kafka, private readonly log: Logger, private readonly o: KafkaSubscriberOptions) {}

  async subscribe(opts: { groupId: string; topics: string[]; fromBeginning: boolean }, onBatch: BatchListener): Promise<Subscription> {
    const consumer = this.kafka.consumer({ groupId: opts.groupId, maxBytesPerPartition: this.o.maxBytesPerPartition, sessionTimeout: 30000, heartbeatInterval: 3000 });
    this.consumers.push(consumer);
    consumer.on(consumer.events.GROUP_JOIN, () => (this.joined = true));
    consumer.on(consumer.events.CRASH, () => (this.joined = false));
    await consumer.connect();
    await consumer.subscribe({ topics: opts.topics, fromBeginning: opts.fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.o.partitionsConcurrently,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
        const { topic, partition } = batch;
        for (let i = 0; i < batch.messages.length && isRunning() && !isStale(); i += this.o.chunkSize) {
          const chunk = batch.messages.slice(i, i + this.o.chunkSize);
          await onBatch(chunk.map((m) => toInbound(topic, partition, m)), { heartbeat });
          const last = chunk[chunk.length - 1].offset;
          resolveOffset(last);
          await consumer.commitOffsets([{ topic, partition, offset: (BigInt(last) + 1n).toString() }]);
          await heartbeat();
        }
      },
    });
    this.log.info('subscribed', { groupId: opts.groupId, topics: opts.topics });
    return { stop: () => consumer.disconnect() };
  }
}

function toInbound(topic: string, partition: number, m: KafkaMessage): InboundMessage {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) if (v !== undefined) headers[k] = Array.isArray(v) ? String(v[0]) : String(v);
  return { topic, partition, offset: m.offset, key: m.key, value: m.value, headers };
}
