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
import { Worker } from 'worker_threads';
import { TrendcastError } from '../../errors';
import type { Logger } from '../../log';
import type { OutboundMessage, Publisher } from '../transport';
import { createKafka, type KafkaSettings } from './client';
import { KafkaPublisher, PublishHealth } from './publisher';
import { packMessages, transferOf, type PublishReply, type PublishRequest, type PublishThreadData } from './publish-thread-protocol';

type Pending = { resolve: () => void; reject: (e: Error) => void };
type Body = PublishRequest extends infer R ? (R extends PublishRequest ? Omit<R, 'id'> : never) : never;

export class ThreadedPublisher implements Publisher {
  private worker?: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead?: Error;
  private connected = false;
  private readonly health: PublishHealth;
  /** The main-thread publisher that takes over once the thread has died. */
  private fallback?: Promise<KafkaPublisher>;
  private fallbackPublisher?: KafkaPublisher;

  constructor(
    private readonly kafka: KafkaSettings,
    private readonly log: Logger,
    private readonly thread: { service: string; logLevel: string },
    now: () => number = Date.now,
  ) {
    this.health = new PublishHealth(now);
  }

  async connect(): Promise<void> {
    const entry = path.join(__dirname, `publish-thread-worker${path.extname(__filename)}`);
    const data: PublishThreadData = { entry, kafka: this.kafka, ...this.thread };
    // the boot file registers tsx in the thread when the code is TypeScript (see its comment)
    this.worker = new Worker(path.join(__dirname, '../../thread-boot.js'), { workerData: data });
    // an idle thread must not keep the process alive, a busy one must (see call and settle)
    this.worker.unref();
    this.worker.on('message', (r: PublishReply) => this.settle(r));
    this.worker.on('error', (err) => this.die(err));
    this.worker.on('messageerror', (err) => this.die(err));
    this.worker.on('exit', (code) => this.die(new Error(`publisher thread exited with code ${code}`)));
    await this.call({ kind: 'connect' });
    this.connected = true;
  }

  /** Readiness: as KafkaPublisher's (PublishHealth); the fallback's own once it has taken over. */
  get healthy(): boolean {
    if (this.fallbackPublisher) return this.fallbackPublisher.healthy;
    return this.health.healthy(this.connected);
  }

  /** Whether the thread is running (false once it has died: publishes then go through the main thread). */
  get threadAlive(): boolean {
    return this.worker !== undefined && this.dead === undefined;
  }

  async publish(topic: string, messages: OutboundMessage[]): Promise<void> {
    if (messages.length === 0) return;
    if (this.dead) return (await this.inProcess()).publish(topic, messages);
    const id = this.health.begin();
    let ok = false;
    try {
      const packed = packMessages(messages);
      await this.call({ kind: 'publish', topic, packed }, transferOf(packed));
      ok = true;
    } catch (err) {
      // the thread's KafkaPublisher already says "cannot publish to <topic>: ..."
      throw err instanceof TrendcastError ? err : new TrendcastError('BROKER_UNAVAILABLE', (err as Error).message, { retriable: true, cause: err });
    } finally {
      this.health.end(id, ok);
    }
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    if (this.fallbackPublisher) await this.fallbackPublisher.disconnect();
    if (!this.worker) return;
    if (!this.dead) await this.call({ kind: 'disconnect' }).catch(() => undefined);
    this.die(new Error('publisher thread closed'), false);
    await this.worker.terminate();
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

  private call(body: Body, transfer: ArrayBuffer[] = []): Promise<void> {
    if (this.dead || !this.worker) return Promise.reject(this.deadError());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker!.ref();
      this.pending.set(id, { resolve, reject });
      this.worker!.postMessage({ ...body, id } as PublishRequest, transfer);
    });
  }

  private settle(r: PublishReply): void {
    const p = this.pending.get(r.id);
    if (!p) return;
    this.pending.delete(r.id);
    if (this.pending.size === 0) this.worker?.unref();
    if (r.ok) p.resolve();
    else p.reject(new TrendcastError('BROKER_UNAVAILABLE', r.error, { retriable: true }));
  }

  private deadError(): TrendcastError {
    return new TrendcastError('BROKER_UNAVAILABLE', `publisher thread is not running: ${this.dead?.message ?? 'not started'}`, { retriable: true });
  }

  private die(err: Error, unexpected = true): void {
    if (this.dead) return;
    this.dead = err;
    if (unexpected) this.log.warn('publisher thread stopped; publishing from the main thread', { err: err.message });
    for (const p of this.pending.values()) p.reject(this.deadError());
    this.pending.clear();
  }
}
