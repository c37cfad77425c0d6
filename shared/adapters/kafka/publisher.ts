import { CompressionTypes, Partitioners, type Kafka, type Producer } from 'kafkajs';
import { TrendcastError } from '../../errors';
import type { OutboundMessage, Publisher } from '../transport';

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

  async publish(topic: string, messages: OutboundMessage[]): Promise<void> {
    if (messages.length === 0) return;
    try {
      await this.producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages });
    } catch (err) {
      throw new TrendcastError('BROKER_UNAVAILABLE', `cannot publish to ${topic}: ${(err as Error).message}`, { retriable: true, cause: err });
    }
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    await this.producer.disconnect();
  }
}
