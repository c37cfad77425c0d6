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
