import type { AvroCodec } from '../avro/codec';
import { PoisonMessageError, toTrendcastError, type TrendcastError } from '../errors';
import type { Logger } from '../log';
import { NULL_OBSERVER, type StageObserver } from '../observability/observer';
import { withRetry, type RetryOptions } from '../retry';
import { dlqTopic, type BatchListener, type InboundMessage, type Publisher } from './transport';

export { NULL_OBSERVER, type StageObserver };

export interface StageResult {
  applied: number;
  duplicates: number;
  tooLate: number;
}

export interface StageOptions<T> {
  codec: AvroCodec<T>;
  validate: (v: T) => T;
  handle: (events: T[]) => Promise<StageResult>;
  /**
   * Optional: builds a batch's work for the store once and returns it as an operation that retries
   * repeat. The stage then hands its decoded events over instead of keeping them for the retries:
   * a large chunk's objects are free while the store works (less for the GC to copy).
   */
  prepare?: (events: T[]) => () => Promise<StageResult>;
  /**
   * Optional, replaces `prepare`: a batch that takes a message straight from its bytes when it can
   * tell that the message is valid (EventBatch.take). The others are decoded and validated as usual,
   * and added if valid, so a message's outcome does not depend on which way it went.
   */
  batch?: () => EventBatch<T>;
  dlq: Publisher;
  retry: RetryOptions;
  log: Logger;
  observer?: StageObserver;
}

/** See StageOptions.batch. */
export interface EventBatch<T> {
  /** True: the message is valid and taken. False: nothing was taken; decode and validate it. */
  take(value: Buffer): boolean;
  add(event: T): void;
  readonly size: number;
  prepare(): () => Promise<StageResult>;
}

/**
 * Decodes and validates a batch; poison messages go to <topic>.dlq with the reason (original bytes
 * kept, reason in headers) and are not retried; the valid events are handed over in one call,
 * retried on transient failures. The listener resolves only after both are stored, so the
 * transport commits offsets after their effects.
 */
export function createStage<T>(o: StageOptions<T>): BatchListener {
  const obs = o.observer ?? NULL_OBSERVER;
  return async (messages) => {
    if (messages.length === 0) return;
    const started = process.hrtime.bigint();
    const topic = messages[0].topic;
    const valid: T[] = [];
    const poison: { m: InboundMessage; err: PoisonMessageError }[] = [];
    const batch = o.batch?.();
    for (const m of messages) {
      if (batch && m.value && batch.take(m.value)) continue;
      try {
        const e = o.validate(o.codec.decode(m.value).value);
        if (batch) batch.add(e);
        else valid.push(e);
      } catch (raw) {
        const err = raw instanceof PoisonMessageError ? raw : new PoisonMessageError('VALIDATION_FAILED', (raw as Error).message, raw);
        poison.push({ m, err });
      }
    }
    if (poison.length > 0) {
      await withRetry(() => o.dlq.publish(dlqTopic(topic), poison.map(({ m, err }) => toDlq(m, err))), o.retry);
      for (const { m, err } of poison) o.log.warn('message sent to dead-letter topic', { topic, partition: m.partition, offset: m.offset, code: err.code, reason: err.message });
      obs.consumed(topic, 'dlq', poison.length);
    }
    if ((batch ? batch.size : valid.length) > 0) {
      const run = batch ? batch.prepare() : o.prepare ? o.prepare(valid.splice(0)) : () => o.handle(valid);
      let r: StageResult;
      try {
        r = await withRetry(run, retrying(o, topic));
      } catch (err) {
        // transient (the store or broker is down): the whole chunk is fetched again, nothing is lost
        if (toTrendcastError(err).retriable) throw err;
        const dead = new Set(poison.map((p) => p.m));
        r = await isolate(o, messages.filter((m) => !dead.has(m)), err);
      }
      obs.consumed(topic, 'ok', r.applied);
      if (r.duplicates) obs.consumed(topic, 'duplicate', r.duplicates);
      if (r.tooLate) obs.consumed(topic, 'late', r.tooLate);
    }
    obs.batchSeconds(topic, Number(process.hrtime.bigint() - started) / 1e9);
  };
}

function retrying<T>(o: StageOptions<T>, topic: string) {
  return { ...o.retry, onRetry: (err: Error, attempt: number, delayMs: number) => o.log.warn('retrying batch', { topic, attempt, delayMs, err: toTrendcastError(err) }) };
}

/**
 * A batch failed with a permanent error (the same on every try): halves are handled apart until the
 * messages that fail alone are found; those go to the DLQ with the error (HANDLER_FAILED), the rest
 * are stored. Handlers are idempotent, so what a failed call stored before failing is not doubled.
 * Rare, so the messages are decoded again here rather than kept decoded for it.
 */
async function isolate<T>(o: StageOptions<T>, messages: InboundMessage[], first: unknown): Promise<StageResult> {
  const topic = messages[0].topic;
  o.log.warn('batch failed permanently; isolating the messages that cause it', { topic, messages: messages.length, err: toTrendcastError(first).message });
  const total: StageResult = { applied: 0, duplicates: 0, tooLate: 0 };
  const failed: { m: InboundMessage; err: TrendcastError }[] = [];
  const step = async (part: InboundMessage[]): Promise<void> => {
    try {
      const r = await withRetry(() => o.handle(part.map((m) => o.validate(o.codec.decode(m.value).value))), retrying(o, topic));
      total.applied += r.applied;
      total.duplicates += r.duplicates;
      total.tooLate += r.tooLate;
    } catch (err) {
      const e = toTrendcastError(err);
      if (e.retriable) throw err;
      if (part.length === 1) return void failed.push({ m: part[0], err: e });
      const half = Math.ceil(part.length / 2);
      await step(part.slice(0, half));
      await step(part.slice(half));
    }
  };
  await step(messages);
  if (failed.length > 0) {
    await withRetry(() => o.dlq.publish(dlqTopic(topic), failed.map(({ m, err }) => toDlq(m, { code: 'HANDLER_FAILED', message: err.message }))), o.retry);
    for (const { m, err } of failed) o.log.warn('message sent to dead-letter topic', { topic, partition: m.partition, offset: m.offset, code: 'HANDLER_FAILED', reason: err.message });
    (o.observer ?? NULL_OBSERVER).consumed(topic, 'dlq', failed.length);
  }
  return total;
}

function toDlq(m: InboundMessage, err: { code: string; message: string }) {
  return {
    key: m.key ? m.key.toString('utf8') : '',
    value: m.value ?? Buffer.alloc(0),
    headers: {
      'dlq-reason': err.message.slice(0, 1000),
      'dlq-code': err.code,
      'dlq-source-topic': m.topic,
      'dlq-source-partition': String(m.partition),
      'dlq-source-offset': m.offset,
      'dlq-failed-at': new Date().toISOString(),
    },
  };
}
