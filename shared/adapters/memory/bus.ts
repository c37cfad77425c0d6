import type { BatchListener, InboundMessage, OutboundMessage, Publisher, Subscriber, Subscription } from '../transport';

/**
 * In-process transport for the embedded demo: topics are arrays, one partition each, delivered in
 * order to each subscribed group by an explicit `drain()` so the demo stays deterministic.
 */
export class MemoryBus implements Publisher, Subscriber {
  readonly topics = new Map<string, InboundMessage[]>();
  private readonly groups: { topics: string[]; listener: BatchListener; positions: Map<string, number>; active: boolean }[] = [];

  constructor(private readonly chunkSize = 1000) {}

  async publish(topic: string, messages: OutboundMessage[]): Promise<void> {
    const log = this.log(topic);
    for (const m of messages) {
      log.push({ topic, partition: 0, offset: String(log.length), key: Buffer.from(m.key), value: m.value, headers: m.headers ?? {} });
    }
  }

  async subscribe(opts: { groupId: string; topics: string[]; fromBeginning: boolean }, onBatch: BatchListener): Promise<Subscription> {
    const positions = new Map(opts.topics.map((t) => [t, opts.fromBeginning ? 0 : this.log(t).length]));
    const g = { topics: opts.topics, listener: onBatch, positions, active: true };
    this.groups.push(g);
    return { stop: async () => void (g.active = false) };
  }

  /** Delivers everything published so far (and what that publishes), until no group has work left. */
  async drain(): Promise<number> {
    let delivered = 0;
    for (let progress = true; progress; ) {
      progress = false;
      for (const g of this.groups) {
        if (!g.active) continue;
        for (const t of g.topics) {
          const log = this.log(t);
          const pos = g.positions.get(t)!;
          if (pos >= log.length) continue;
          const chunk = log.slice(pos, pos + this.chunkSize);
          await g.listener(chunk, { heartbeat: async () => {} });
          g.positions.set(t, pos + chunk.length);
          delivered += chunk.length;
          progress = true;
        }
      }
    }
    return delivered;
  }

  private log(topic: string): InboundMessage[] {
    let l = this.topics.get(topic);
    if (!l) this.topics.set(topic, (l = []));
    return l;
  }
}
