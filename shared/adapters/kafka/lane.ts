/**
 * The chunks of one partition that were fetched but are not yet stored and committed, so that
 * Kafka's fetch and decode overlap the store's round trips instead of waiting for them. Commits go
 * in offset order. An ordered lane also handles the chunks one after the other (handlers that depend
 * on the order); an unordered one starts each at once, so its synchronous part (decode, validation,
 * building the store's commands) runs while the fetched batch is still young in memory, and only the
 * compact result waits. A failed chunk drops the chunks after it and calls `onFailure` with its
 * first offset (the subscriber seeks back there); nothing after it is committed, so nothing is lost.
 */
export class PartitionLane {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;
  private generation = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly ordered: boolean, private readonly onFailure: (firstOffset: string, err: unknown) => Promise<void>) {}

  /** Resolves once fewer than `max` chunks are pending (backpressure on the fetch loop). */
  async room(max: number): Promise<void> {
    while (this.pending >= max) await new Promise<void>((r) => this.waiters.push(r));
  }

  enqueue(firstOffset: string, handle: () => Promise<void>, commit: () => Promise<void>): void {
    const gen = this.generation;
    this.pending++;
    // the closure kept until the chunk's turn must not hold `handle` when it already ran: its
    // messages would stay in memory (and be copied by every young-generation GC) until then
    const run = this.ordered ? handle : startNow(handle);
    this.tail = this.tail.then(async () => {
      if (gen !== this.generation) return; // dropped: a chunk before it failed
      try {
        await run();
        if (gen !== this.generation) return; // aborted while it ran: its offset must not be committed
        await commit();
      } catch (err) {
        this.generation++;
        await this.onFailure(firstOffset, err);
      }
    }).finally(() => {
      this.pending--;
      this.waiters.splice(0).forEach((w) => w());
    });
  }

  /** Drops the chunks not yet committed (the partition is sought elsewhere); the lane takes new ones. */
  abort(): void {
    this.generation++;
  }

  /** Resolves when every enqueued chunk has finished (stored and committed, or dropped). */
  drain(): Promise<void> {
    return this.tail;
  }
}

function startNow(handle: () => Promise<void>): () => Promise<void> {
  const p = handle();
  p.catch(() => {}); // awaited in order by the lane; this only keeps it from counting as unhandled meanwhile
  return () => p;
}
