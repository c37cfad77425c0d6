import { CompressionTypes, Partitioners, type Kafka, type Producer } from 'kafkajs';
import { TrendcastError } from '../../errors';
import type { OutboundMessage, Publisher } from '../transport';

/**
 * Bytes of keys and values per produce request: a broker refuses a record batch over its
 * message.max.bytes (1 MiB by default), and a request carries one batch per partition. The
 * forecaster publishes a whole batch of products at once (1,000 Trends of ~1.3 KB with the default
 * horizon, more with a longer one), which on a one-partition topic was refused every time, so the
 * pass failed for good. Under this bound no partition's batch can reach the broker's default.
 */
export const MAX_SEND_BYTES = 512 * 1024;

/** A publish waiting longer than this (an acks=all send takes milliseconds here) makes the publisher not ready. */
export const PUBLISH_STALL_MS = 10_000;

/**
 * Readiness of a publisher: connected, no publish failed in the last PUBLISH_STALL_MS unless one
 * succeeded since (a rare publisher, as of a DLQ, is not held unready by one old failure), and none
 * in flight for longer than PUBLISH_STALL_MS. Through a network partition a send just waits (30 s
 * per request before kafkajs retries), and a stopped broker fails the sends only after kafkajs's
 * retries; "connected" stays true throughout, and was all the forecaster checked: it said ready
 * through a whole partition (test/integration/kafka-partition.test.ts).
 */
export class PublishHealth {
  /** A publish failed after the last one that succeeded, and when (ms). */
  private failedSinceSuccess = false;
  private lastFailure = -Infinity;
  /** Start times of the publishes in flight, by id. */
  private readonly inFlight = new Map<number, number>();
  private nextId = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** A publish starts: its id for end(). */
  begin(): number {
    const id = this.nextId++;
    this.inFlight.set(id, this.now());
    return id;
  }

  end(id: number, ok: boolean): void {
    this.inFlight.delete(id);
    if (ok) {
      this.failedSinceSuccess = false;
    } else {
      this.failedSinceSuccess = true;
      this.lastFailure = this.now();
    }
  }

  healthy(connected: boolean): boolean {
    if (!connected) return false;
    const now = this.now();
    if (this.failedSinceSuccess && now - this.lastFailure <= PUBLISH_STALL_MS) return false;
    for (const since of this.inFlight.values()) if (now - since > PUBLISH_STALL_MS) return false;
    return true;
  }
}

/**
 * acks=all producer with the Java-compatible murmur2 partitioner (key = sku), so other clients
 * place a product's events on the same partition. Not kafkajs's idempotent mode: it wants unbounded
 * retries, and a duplicate after a retried send is harmless anyway, since every store dedupes by event id.
 */
export class KafkaPublisher implements Publisher {
  private readonly producer: Producer;
  private connected = false;
  private readonly health: PublishHealth;

  constructor(kafka: Kafka, now: () => number = Date.now) {
    this.producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: true });
    this.health = new PublishHealth(now);
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Readiness (PublishHealth). */
  get healthy(): boolean {
    return this.health.healthy(this.connected);
  }

  /**
   * Sends the messages in requests of at most MAX_SEND_BYTES (one message may exceed it alone), all
   * in flight at once. Should one fail the call fails, though others may have landed: a caller
   * publishes again, and a duplicate is harmless (see above).
   */
  async publish(topic: string, messages: OutboundMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const id = this.health.begin();
    let ok = false;
    try {
      await Promise.all(splitBySize(messages, MAX_SEND_BYTES).map((part) => this.producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages: part })));
      ok = true;
    } catch (err) {
      throw new TrendcastError('BROKER_UNAVAILABLE', `cannot publish to ${topic}: ${(err as Error).message}`, { retriable: true, cause: err });
    } finally {
      this.health.end(id, ok);
    }
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    await this.producer.disconnect();
  }
}

/** Consecutive runs of messages whose keys and values add up to at most maxBytes (a larger message alone); headers are small and not counted. */
export function splitBySize(messages: OutboundMessage[], maxBytes: number): OutboundMessage[][] {
  const parts: OutboundMessage[][] = [];
  let part: OutboundMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = m.value.length + m.key.length; // keys are skus: ASCII in practice, and the bound has room
    if (part.length > 0 && bytes + size > maxBytes) {
      parts.push(part);
      part = [];
      bytes = 0;
    }
    part.push(m);
    bytes += size;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}
