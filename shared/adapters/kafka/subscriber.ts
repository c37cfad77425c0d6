import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { repeatFilter, type Logger } from '../../log';
import type { BatchListener, InboundMessage, OffsetCheckpoints, Subscriber, Subscription } from '../transport';
import { CheckpointGuard, StateBehindError, type PartitionOffsets } from './checkpoint-guard';
import { PartitionLane } from './lane';
import { adminOffsets } from './partition-offsets';

export interface KafkaSubscriberOptions {
  /** Messages handed to the listener at once; a fetched batch is cut into chunks of this size. */
  chunkSize: number;
  partitionsConcurrently: number;
  maxBytesPerPartition: number;
  /** Max bytes of one fetch over all partitions (kafkajs's default: 10 MiB). */
  maxBytes?: number;
  /** Chunks of a partition fetched ahead of the one being stored (>= 1). */
  maxPendingChunks?: number;
  /** False when the listener's effects do not depend on the order of chunks (see PartitionLane). */
  ordered?: boolean;
  /** Group session timeout (default 30 s): how soon a crashed member's partitions go to another. */
  sessionTimeoutMs?: number;
  /** The listener's store keeps checkpoints: a store that went back is consumed again (checkpoint-guard.ts). */
  checkpoints?: OffsetCheckpoints;
  /** Called when a partition is sought back because the store was behind (for a metric). */
  onStateBehind?: (topic: string, partition: number) => void;
}

/** Beyond the session timeout: kafkajs's fetch long-poll (maxWaitTimeInMs, 5 s) plus a margin. */
const STALE_AFTER_MS = 6000;

/**
 * Consumer-group subscription with manual commits: the offset after a chunk is committed only once
 * the listener has resolved, i.e. after the chunk's effects (state, DLQ) are stored. The chunks of a
 * partition are handled in order by a PartitionLane while the next batch is fetched. A listener that
 * throws (after its own retries) makes the subscriber seek the partition back to that chunk, so it
 * is fetched and handled again; the idempotent stores absorb what was already applied.
 */
export class KafkaSubscriber implements Subscriber {
  readonly consumers: Consumer[] = [];
  /** True once every subscription has joined its group. */
  joined = false;
  /** Commit failures come in bursts (one per chunk in flight when the group dropped this member): one line per 30 s. */
  private readonly freshCommitError = repeatFilter(30_000);
  /** When the broker last answered a fetch or a heartbeat, or the group was joined (ms). */
  private lastContact = 0;
  private staleMs = STALE_AFTER_MS + 30000;
  constructor(private readonly kafka: Kafka, private readonly log: Logger, private readonly o: KafkaSubscriberOptions, private readonly now: () => number = Date.now) {}

  /**
   * Readiness: joined, and the broker heard from within a session timeout plus one fetch wait. A
   * network partition closes no socket and kafkajs raises nothing until its requests time out, so
   * "joined" alone stayed true through a whole partition (test/integration/kafka-partition.test.ts).
   * Past that time without a heartbeat the group has evicted this member anyway. A consumer that
   * is merely idle still fetches (a long poll returns every few seconds) and heartbeats.
   */
  get ready(): boolean {
    return this.joined && this.now() - this.lastContact <= this.staleMs;
  }

  async subscribe(opts: { groupId: string; topics: string[]; fromBeginning: boolean }, onBatch: BatchListener): Promise<Subscription> {
    const sessionTimeout = this.o.sessionTimeoutMs ?? 30000;
    // a heartbeat at least three times per session, as Kafka advises, so one lost beat does not evict
    const heartbeatInterval = Math.min(3000, Math.floor(sessionTimeout / 3));
    const consumer = this.kafka.consumer({ groupId: opts.groupId, maxBytesPerPartition: this.o.maxBytesPerPartition, ...(this.o.maxBytes !== undefined && { maxBytes: this.o.maxBytes }), sessionTimeout, heartbeatInterval });
    this.consumers.push(consumer);
    this.staleMs = sessionTimeout + STALE_AFTER_MS;
    const contact = () => (this.lastContact = this.now());
    const offsets = this.o.checkpoints && adminOffsets(this.kafka, opts.groupId);
    const guard = this.o.checkpoints && offsets && new CheckpointGuard(this.o.checkpoints, offsets, this.log);
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      this.joined = true;
      contact();
      if (!guard || !offsets) return;
      guard.forgetAll();
      // at the end of the log no batch comes to be checked: the committed offsets are checked now
      void this.checkAssigned(consumer, guard, offsets, e.payload.memberAssignment, laneOf);
    });
    consumer.on(consumer.events.HEARTBEAT, contact);
    consumer.on(consumer.events.FETCH, contact);
    consumer.on(consumer.events.CRASH, () => (this.joined = false));
    await consumer.connect();
    await consumer.subscribe({ topics: opts.topics, fromBeginning: opts.fromBeginning });
    const lanes = new Map<string, PartitionLane>();
    const laneOf = (topic: string, partition: number) => {
      const key = `${topic}/${partition}`;
      let lane = lanes.get(key);
      if (!lane) lanes.set(key, (lane = new PartitionLane(this.o.ordered ?? true, (offset, err) => this.rewind(consumer, topic, partition, offset, err, guard))));
      return lane;
    };
    // an idle consumer commits nothing, so the store coming back with less is looked for on reconnecting
    this.o.checkpoints?.onReconnect(() => void this.verify(consumer, guard!, laneOf));
    const maxPending = Math.max(1, this.o.maxPendingChunks ?? 2);
    let stopping = false;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.o.partitionsConcurrently,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
        const { topic, partition } = batch;
        const lane = laneOf(topic, partition);
        // a heartbeat that fails (e.g. during a rebalance) must not fail a chunk: kafkajs rejoins on its own
        const beat = () => heartbeat().catch(() => {});
        const live = () => !stopping && isRunning() && !isStale();
        const first = batch.firstOffset();
        if (guard && first !== null) {
          const seekTo = await guard.check(topic, partition, first);
          if (seekTo !== null) return this.seekBack(consumer, topic, partition, seekTo, lane);
        }
        for (let i = 0; i < batch.messages.length && live(); i += this.o.chunkSize) {
          await lane.room(maxPending);
          // a seek after a failed chunk makes the rest of this batch stale: it is fetched again
          if (!live()) break;
          const chunk = batch.messages.slice(i, i + this.o.chunkSize);
          const inbound = chunk.map((m) => toInbound(topic, partition, m));
          const next = (BigInt(chunk[chunk.length - 1].offset) + 1n).toString();
          // closures made apart, so the commit's (kept until the chunk is stored) holds no messages
          lane.enqueue(chunk[0].offset, handleOf(onBatch, inbound, beat), this.commitOf(consumer, topic, partition, next, guard));
          // the fetch position moves on; the committed one only after the chunk is stored
          resolveOffset(chunk[chunk.length - 1].offset);
        }
        await heartbeat();
      },
    });
    this.log.info('subscribed', { groupId: opts.groupId, topics: opts.topics });
    return {
      stop: async () => {
        // no new chunks; the pending ones are stored and committed while the group is still joined
        stopping = true;
        await Promise.all([...lanes.values()].map((l) => l.drain()));
        await consumer.disconnect();
        await offsets?.close();
      },
    };
  }

  /** The commit after a chunk's effects: the store's checkpoint first (a StateBehindError fails the chunk), then Kafka's offset. */
  private commitOf(consumer: Consumer, topic: string, partition: number, offset: string, guard?: CheckpointGuard): () => Promise<void> {
    return async () => {
      if (guard && !(await guard.advance(topic, partition, offset))) return;
      await this.commitKafka(consumer, topic, partition, offset);
    };
  }

  private commitKafka(consumer: Consumer, topic: string, partition: number, offset: string): Promise<void> {
    return consumer.commitOffsets([{ topic, partition, offset }]).catch((err: Error) => {
      // a later commit covers this one; after a rebalance the new owner starts from the last commit
      const repeated = this.freshCommitError(err.message);
      if (repeated !== null) this.log.warn('offset commit failed', { topic, partition, offset, err: err.message, ...(repeated > 0 ? { repeated } : {}) });
    });
  }

  /** After a join: each assigned partition's checkpoint against the group's committed offset. */
  private async checkAssigned(consumer: Consumer, guard: CheckpointGuard, offsets: PartitionOffsets, assigned: Record<string, number[]>, laneOf: (topic: string, partition: number) => PartitionLane): Promise<void> {
    try {
      for (const [topic, partitions] of Object.entries(assigned)) {
        for (const partition of partitions) {
          const committed = await offsets.committed(topic, partition);
          const seekTo = committed !== null ? await guard.check(topic, partition, committed) : null;
          if (seekTo !== null) this.seekBack(consumer, topic, partition, seekTo, laneOf(topic, partition));
        }
      }
    } catch (err) {
      // each partition's first batch is checked as well
      this.log.warn('checkpoints not checked after joining the group', { err: (err as Error).message });
    }
  }

  /** The store's connection is back: partitions whose checkpoint went back are sought to it, their pending chunks dropped. */
  private async verify(consumer: Consumer, guard: CheckpointGuard, laneOf: (topic: string, partition: number) => PartitionLane): Promise<void> {
    try {
      for (const b of await guard.verify()) this.seekBack(consumer, b.topic, b.partition, b.seekTo, laneOf(b.topic, b.partition));
    } catch (err) {
      // the next commit compares the checkpoint again
      this.log.warn('checkpoints not verified after the reconnect', { err: (err as Error).message });
    }
  }

  private seekBack(consumer: Consumer, topic: string, partition: number, offset: string, lane: PartitionLane): void {
    lane.abort();
    this.o.onStateBehind?.(topic, partition);
    this.seek(consumer, topic, partition, offset);
  }

  private async rewind(consumer: Consumer, topic: string, partition: number, offset: string, err: unknown, guard?: CheckpointGuard): Promise<void> {
    if (err instanceof StateBehindError) {
      this.o.onStateBehind?.(topic, partition);
      return this.seek(consumer, topic, partition, err.seekTo); // the guard logged it
    }
    this.log.error('chunk failed; fetching it again', { topic, partition, offset, err: (err as Error).message });
    guard?.forget(topic, partition); // what the store holds is read again before the chunk is
    this.seek(consumer, topic, partition, offset);
  }

  private seek(consumer: Consumer, topic: string, partition: number, offset: string): void {
    try {
      consumer.seek({ topic, partition, offset });
    } catch (e) {
      this.log.warn('seek failed (the partition is no longer ours?)', { topic, partition, err: (e as Error).message });
    }
  }
}

function handleOf(onBatch: BatchListener, messages: InboundMessage[], heartbeat: () => Promise<void>): () => Promise<void> {
  return () => onBatch(messages, { heartbeat });
}

const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

function toInbound(topic: string, partition: number, m: KafkaMessage): InboundMessage {
  let headers = NO_HEADERS; // most messages have none: no object per message then
  if (m.headers) for (const k in m.headers) {
    const v = m.headers[k];
    if (v === undefined) continue;
    if (headers === NO_HEADERS) headers = {};
    headers[k] = Array.isArray(v) ? String(v[0]) : String(v);
  }
  return { topic, partition, offset: m.offset, key: m.key, value: m.value, headers };
}
