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

/**
 * acks=all producer with the Java-compatible murmur2 partitioner (key = sku), so other clients
 * place a product's events on the same partition. Not kafkajs's idempotent mode: it wants unbounded
 * retries, and a duplicate after a retried send is harmless anyway, since every store dedupes by event id.
 */
export class KafkaPublisher implements Publisher {
  private readonly producer: Producer;
  private connected = false;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: true });
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /**
   * Sends the messages in requests of at most MAX_SEND_BYTES (one message may exceed it alone), all
   * in flight at once. Should one fail the call fails, though others may have landed: a caller
   * publishes again, and a duplicate is harmless (see above).
   */
  async publish(topic: string, messages: OutboundMessage[]): Promise<void> {
    if (messages.length === 0) return;
    try {
      await Promise.all(splitBySize(messages, MAX_SEND_BYTES).map((part) => this.producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages: part })));
    } catch (err) {
      throw new TrendcastError('BROKER_UNAVAILABLE', `cannot publish to ${topic}: ${(err as Error).message}`, { retriable: true, cause: err });
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
