import type { Logger } from '../../log';
import type { OffsetCheckpoints } from '../transport';

/** Where a partition's log starts, and the group's committed offset on it (null: none yet). */
export interface PartitionOffsets {
  earliest(topic: string, partition: number): Promise<string>;
  committed(topic: string, partition: number): Promise<string | null>;
}

/** The state store is behind what this consumer stored: the partition must be consumed again from `seekTo`. */
export class StateBehindError extends Error {
  constructor(readonly topic: string, readonly partition: number, readonly seekTo: string, readonly checkpoint: string | null, readonly expected: string | null) {
    super(`the state store's checkpoint of ${topic}/${partition} is ${checkpoint ?? 'missing'}, behind ${expected ?? 'the committed offset'}: it lost acknowledged writes`);
  }
}

export const STATE_BEHIND_LOG = 'state store behind its committed offsets; consuming again from its checkpoint';

/**
 * Keeps one consumer's checkpoints (transport.ts: OffsetCheckpoints) and finds out when the store
 * lost writes that Kafka's committed offsets already count, in three places:
 * - `check`, at a partition's first batch after (re)assignment: a checkpoint behind the batch's
 *   first offset, or none while the group has committed offsets, means the store came back with
 *   less while no one consumed (or while another member did); the partition is sought back;
 * - `advance`, before each commit: the checkpoint must still be the value this consumer last read
 *   or wrote, else it is not moved and the chunk is not committed;
 * - `verify`, when the store's connection is back: the same comparison, so an idle consumer finds
 *   out too.
 * Consuming again is safe because the stores skip the events they already have (event ids).
 */
export class CheckpointGuard {
  /** The value last read or written per partition, once it was checked; absent: check at the next batch. */
  private readonly expected = new Map<string, { topic: string; partition: number; value: string | null }>();

  constructor(private readonly cp: OffsetCheckpoints, private readonly offsets: PartitionOffsets, private readonly log: Logger) {}

  /** Every partition is checked again at its next batch (a rebalance: another member may have moved them). */
  forgetAll(): void {
    this.expected.clear();
  }

  forget(topic: string, partition: number): void {
    this.expected.delete(key(topic, partition));
  }

  /** At a batch of a partition: null to handle it, or the offset to seek to instead. */
  async check(topic: string, partition: number, firstOffset: string): Promise<string | null> {
    if (this.expected.has(key(topic, partition))) return null;
    const cp = await this.cp.read(topic, partition);
    // no checkpoint while the group has committed offsets: the store lost all of it (or predates checkpoints)
    const lost = cp !== null ? BigInt(cp) < BigInt(firstOffset) : (await this.offsets.committed(topic, partition)) !== null;
    if (lost) {
      const seekTo = await this.replayFrom(topic, partition, cp);
      if (BigInt(seekTo) < BigInt(firstOffset)) {
        this.log.warn(STATE_BEHIND_LOG, { topic, partition, checkpoint: cp, committed: firstOffset, seekTo });
        return seekTo; // still unchecked: the batch fetched from seekTo is checked again, and passes
      }
      // consumed again from the log's start: lost for good if retention deleted events before it
      if (BigInt(seekTo) > BigInt(cp ?? '0')) this.log.error('state store behind its committed offsets, and the log no longer holds the events in between', { topic, partition, checkpoint: cp, earliest: seekTo });
    }
    this.expected.set(key(topic, partition), { topic, partition, value: cp });
    return null;
  }

  /**
   * After a chunk's effects are stored: moves the checkpoint to `next`. False when the chunk must
   * not be committed because the partition is unchecked (a rebalance came between) or another
   * member moved it; throws StateBehindError when the store went back.
   */
  async advance(topic: string, partition: number, next: string): Promise<boolean> {
    const k = key(topic, partition);
    const e = this.expected.get(k);
    if (!e) return false;
    const r = await this.cp.advance(topic, partition, e.value, next);
    if (r.ok) {
      // only if no forget/check replaced the entry meanwhile
      if (this.expected.get(k) === e) this.expected.set(k, { topic, partition, value: next });
      return true;
    }
    this.expected.delete(k);
    if (movedOn(r.current, e.value)) return false;
    throw await this.behind(topic, partition, r.current, e.value);
  }

  /** The store's connection is back: the partitions whose checkpoint went back, with where to seek. */
  async verify(): Promise<StateBehindError[]> {
    const found: StateBehindError[] = [];
    for (const [k, e] of [...this.expected]) {
      const cp = await this.cp.read(e.topic, e.partition);
      if (cp === e.value || movedOn(cp, e.value)) continue;
      if (this.expected.get(k) === e) this.expected.delete(k);
      found.push(await this.behind(e.topic, e.partition, cp, e.value));
    }
    return found;
  }

  /** The checkpoint, or the log's start if that is later (retention deleted older events; seeking before it would reset). */
  private async replayFrom(topic: string, partition: number, cp: string | null): Promise<string> {
    const low = await this.offsets.earliest(topic, partition);
    return cp !== null && BigInt(cp) > BigInt(low) ? cp : low;
  }

  private async behind(topic: string, partition: number, cp: string | null, expected: string | null): Promise<StateBehindError> {
    const seekTo = await this.replayFrom(topic, partition, cp);
    this.log.warn(STATE_BEHIND_LOG, { topic, partition, checkpoint: cp, expected, seekTo });
    return new StateBehindError(topic, partition, seekTo, cp, expected);
  }
}

const key = (topic: string, partition: number) => `${topic}/${partition}`;

/** A checkpoint past the one this consumer last saw: another member consumed on (a rebalance), not a loss. */
const movedOn = (cp: string | null, seen: string | null) => cp !== null && (seen === null || BigInt(cp) > BigInt(seen));
