/**
 * The transport port: Kafka in production, an in-process bus in the embedded demo. Both deliver
 * batches per partition in offset order and only move the committed position after the handler
 * has resolved, so effects are stored before their offsets.
 */
export interface InboundMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface OutboundMessage {
  key: string;
  value: Buffer;
  headers?: Record<string, string>;
}

export interface Publisher {
  publish(topic: string, messages: OutboundMessage[]): Promise<void>;
}

export interface BatchContext {
  /** Keep the group membership alive during long batches (no-op in memory). */
  heartbeat(): Promise<void>;
}

/**
 * The offset up to which a consumer's effects are stored ("checkpoint"), kept in the store that
 * holds them and written after a chunk's effects, before its offset is committed to Kafka. A store
 * that loses acknowledged writes (a restart from an older snapshot, a new empty instance) loses the
 * newer effects and the newer checkpoints together, since both are applied in the order they were
 * written: a checkpoint behind the committed offset is how the consumer learns that the events in
 * between must be consumed again (kafka/checkpoint-guard.ts).
 */
export interface OffsetCheckpoints {
  read(topic: string, partition: number): Promise<string | null>;
  /** Sets it to `next` if it still is `expected` (null: none); otherwise changes nothing and returns what it is. */
  advance(topic: string, partition: number, expected: string | null, next: string): Promise<{ ok: true } | { ok: false; current: string | null }>;
  /** `fn` runs each time the store's connection is made again after it was lost (the store may have restarted with less). */
  onReconnect(fn: () => void): void;
}

export type BatchListener = (messages: InboundMessage[], ctx: BatchContext) => Promise<void>;

export interface Subscription {
  stop(): Promise<void>;
}

export interface Subscriber {
  subscribe(opts: { groupId: string; topics: string[]; fromBeginning: boolean }, onBatch: BatchListener): Promise<Subscription>;
}

export function dlqTopic(topic: string): string {
  return `${topic}.dlq`;
}

/** Topic names with an optional prefix, one place for all. */
export function topicNames(prefix: string) {
  const t = (n: string) => `${prefix}${n}`;
  return {
    orders: t('orders'),
    reviews: t('reviews'),
    listings: t('listings'),
    trends: t('trends'),
    inventory: t('inventory'),
    restockAlerts: t('restock-alerts'),
  };
}
export type Topics = ReturnType<typeof topicNames>;
