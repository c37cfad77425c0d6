/**
 * A Publisher whose kafkajs producer runs on a worker thread of its own (publish-thread-worker.ts).
 * Why: in the forecaster's pass the main thread is the one that is always busy (~95% of the pass in
 * a CPU profile), while the second core has room; kafkajs's producer (record encoding, its JS
 * CRC32C, and the ~60 MB of buffers per pass that its nested encoders copy, which set off most of
 * the main thread's scavenges) moves to that core. The main thread packs a publish's values into
 * one transferred buffer (publish-thread-protocol.ts) and waits for the answer.
 *
 * The same semantics as KafkaPublisher, which runs in the thread: acks=all, the same partitioner
 * and request sizes, failures as retriable BROKER_UNAVAILABLE, the same readiness (PublishHealth,
 * kept here). Should the thread die, the publishes in flight fail (retriable, so the pass is run
 * again) and the next ones go through a KafkaPublisher on the main thread, with a warning.
 */
import * as path from 'path';
import { TrendcastError } from '../../errors';
import type { Logger } from '../../log';
import type { OutboundMessage, Publisher } from '../transport';
import { ThreadClient } from '../../thread-client';
import { createKafka, type KafkaSettings } from './client';
import { KafkaPublisher, PublishHealth } from './publisher';
import { packMessages, transferOf, type PublishReply, type PublishRequest, type PublishThreadData } from './publish-thread-protocol';

export class ThreadedPublisher implements Publisher {
  private thread?: ThreadClient<PublishRequest, PublishReply>;
  private connected = false;
  private readonly health: PublishHealth;
  /** The main-thread publisher that takes over once the thread has died. */
  private fallback?: Promise<KafkaPublisher>;
  private fallbackPublisher?: KafkaPublisher;

  constructor(
    private readonly kafka: KafkaSettings,
    private readonly log: Logger,
    private readonly settings: { service: string; logLevel: string },
    now: () => number = Date.now,
  ) {
    this.health = new PublishHealth(now);
  }

  async connect(): Promise<void> {
    const entry = path.join(__dirname, `publish-thread-worker${path.extname(__filename)}`);
    const data: Omit<PublishThreadData, 'entry'> = { kafka: this.kafka, ...this.settings };
    this.thread = new ThreadClient('publisher thread', entry, data, {
      deadError: (cause) => new TrendcastError('BROKER_UNAVAILABLE', `publisher thread is not running: ${cause.message}`, { retriable: true }),
      // the thread's KafkaPublisher already says "cannot publish to <topic>: ..."
      replyError: (message) => new TrendcastError('BROKER_UNAVAILABLE', message, { retriable: true }),
      onDeath: (cause, unexpected) => unexpected && this.log.warn('publisher thread stopped; publishing from the main thread', { err: cause.message }),
    });
    await this.thread.call({ kind: 'connect' });
    this.connected = true;
  }

  /** Readiness: as KafkaPublisher's (PublishHealth); the fallback's own once it has taken over. */
  get healthy(): boolean {
    if (this.fallbackPublisher) return this.fallbackPublisher.healthy;
    return this.health.healthy(this.connected);
  }

  /** Whether the thread is running (false once it has died: publishes then go through the main thread). */
  get threadAlive(): boolean {
    return this.thread?.alive ?? false;
  }

  async publish(topic: string, messages: OutboundMessage[]): Promise<void> {
    if (messages.length === 0) return;
    if (!this.thread) throw new TrendcastError('BROKER_UNAVAILABLE', 'publisher thread is not running: not started', { retriable: true });
    if (!this.thread.alive) return (await this.inProcess()).publish(topic, messages);
    const id = this.health.begin();
    let ok = false;
    try {
      const packed = packMessages(messages);
      await this.thread.call({ kind: 'publish', topic, packed }, { transfer: transferOf(packed) });
      ok = true;
    } catch (err) {
      throw err instanceof TrendcastError ? err : new TrendcastError('BROKER_UNAVAILABLE', (err as Error).message, { retriable: true, cause: err });
    } finally {
      this.health.end(id, ok);
    }
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    if (this.fallbackPublisher) await this.fallbackPublisher.disconnect();
    if (!this.thread) return;
    if (this.thread.alive) await this.thread.call({ kind: 'disconnect' }).catch(() => undefined);
    await this.thread.close(new Error('publisher thread closed'));
  }

  private inProcess(): Promise<KafkaPublisher> {
    this.fallback ??= (async () => {
      const p = new KafkaPublisher(createKafka(this.kafka, this.log));
      try {
        await p.connect();
      } catch (err) {
        // tried again by the next publish; the pass that failed is run again
        this.fallback = undefined;
        throw new TrendcastError('BROKER_UNAVAILABLE', `cannot connect the main thread's producer: ${(err as Error).message}`, { retriable: true, cause: err });
      }
      this.fallbackPublisher = p;
      return p;
    })();
    return this.fallback;
  }
}
