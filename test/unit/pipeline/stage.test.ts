/**
 * The stage when the handler fails: a permanent failure is narrowed down to the messages that cause
 * it, which go to the DLQ (HANDLER_FAILED) while the others are stored; a transient one is never
 * dead-lettered (the chunk is fetched again); Redis errors are classified accordingly.
 */
import { codecFor } from '../../../shared/avro/codec';
import { MemoryBus } from '../../../shared/adapters/memory/bus';
import { redisCall } from '../../../shared/adapters/redis/guard';
import { createStage } from '../../../shared/adapters/stage';
import type { InboundMessage } from '../../../shared/adapters/transport';
import { ORDER_FACT_FIELDS, type OrderEvent, type OrderFacts } from '../../../shared/domain/events';
import { TrendcastError, toTrendcastError } from '../../../shared/errors';
import { createLogger } from '../../../shared/log';

const codec = codecFor<OrderEvent>('order');
const order = (i: number, sku: string): OrderEvent => ({
  eventId: `e${i}`, eventTime: Date.UTC(2011, 0, 1) + i * 1000, sku, orderId: `o${i}`, kind: 'ORDER', quantity: 1, unitPrice: 1, currency: 'GBP', customerId: null, country: null,
});
const inbound = (events: OrderEvent[]): InboundMessage[] =>
  events.map((e, i) => ({ topic: 'orders', partition: 0, offset: String(i), key: Buffer.from(e.sku), value: codec.encode(e), headers: {} }));
const retry = { retries: 2, initialMs: 1, maxMs: 2 };
const log = createLogger('test', 'silent');

test('a handler bug on some messages: those go to the DLQ with the error, every other message is stored', async () => {
  const dlq = new MemoryBus();
  const stored = new Set<string>();
  let calls = 0;
  const stage = createStage<OrderEvent>({
    codec, validate: (e) => e, dlq, retry, log,
    handle: async (events) => {
      calls++;
      // a deterministic bug: the same TypeError on every attempt while a BAD event is in the batch
      if (events.some((e) => e.sku === 'BAD')) (null as unknown as { x: number }).x;
      events.forEach((e) => stored.add(e.eventId));
      return { applied: events.length, duplicates: 0, tooLate: 0 };
    },
  });
  const events = Array.from({ length: 40 }, (_, i) => order(i, i === 7 || i === 30 ? 'BAD' : `P${i % 5}`));
  await stage(inbound(events), { heartbeat: async () => {} });
  expect([...stored].sort()).toEqual(events.filter((e) => e.sku !== 'BAD').map((e) => e.eventId).sort());
  const dead = dlq.topics.get('orders.dlq') ?? [];
  expect(dead.map((m) => codec.decode(m.value).value.eventId)).toEqual(['e7', 'e30']);
  for (const m of dead) {
    expect(m.headers['dlq-code']).toBe('HANDLER_FAILED');
    expect(m.headers['dlq-reason']).toMatch(/Cannot read properties of null/);
    expect(m.headers['dlq-source-offset']).toMatch(/^(7|30)$/);
  }
  // a bisection, not one call per message
  expect(calls).toBeLessThan(40);
});

test('a transient failure that outlasts the retries fails the chunk (fetched again) and dead-letters nothing', async () => {
  const dlq = new MemoryBus();
  let calls = 0;
  const stage = createStage<OrderEvent>({
    codec, validate: (e) => e, dlq, retry, log,
    handle: async () => {
      calls++;
      throw new TrendcastError('STORE_UNAVAILABLE', 'redis down', { retriable: true });
    },
  });
  await expect(stage(inbound([order(1, 'A'), order(2, 'B')]), { heartbeat: async () => {} })).rejects.toThrow('redis down');
  expect(calls).toBe(3);
  expect(dlq.topics.get('orders.dlq') ?? []).toEqual([]);
});

test('errors: a script failing on its input or a wrong key type is permanent; a lost connection or a full server is not', async () => {
  const reply = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });
  const classify = (err: Error) => redisCall(Promise.reject(err), 'apply_orders').catch((e: TrendcastError) => [e.code, e.retriable]);
  expect(await classify(reply('ERR user_script:9: too many results to unpack script: 77, on @user_script:9.'))).toEqual(['HANDLER_FAILED', false]);
  expect(await classify(reply('WRONGTYPE Operation against a key holding the wrong kind of value'))).toEqual(['HANDLER_FAILED', false]);
  expect(await classify(reply('ERR max number of clients reached'))).toEqual(['STORE_UNAVAILABLE', true]);
  // Redis 7.0's reply when apply-orders-3.lua reached maxmemory at its first write (seen on a real server)
  expect(await classify(reply("OOM command not allowed when used memory > 'maxmemory'. script: 3384ecd018fb0ed13e6649ffc1bc5df7eb36cbb9, on @user_script:78."))).toEqual(['STORE_UNAVAILABLE', true]);
  expect(await classify(reply('READONLY You can\'t write against a read only replica. script: 3384ecd0, on @user_script:78.'))).toEqual(['STORE_UNAVAILABLE', true]);
  expect(await classify(reply('LOADING Redis is loading the dataset in memory'))).toEqual(['STORE_UNAVAILABLE', true]);
  expect(await classify(new Error('Connection is closed.'))).toEqual(['STORE_UNAVAILABLE', true]);
  expect(toTrendcastError(new TypeError('x is undefined')).retriable).toBe(false);
  expect(toTrendcastError(new Error('socket hang up')).retriable).toBe(true);
});

test("the order consumer's fast path: valid orders go in from their bytes, the others through decode and validateOrder, poison to the DLQ", async () => {
  const { orderHandler } = await import('../../../services/order-consumer/handler');
  const { EventTimeLead } = await import('../../../shared/domain/event-lead');
  const facts = codecFor<OrderFacts>('order', false, ORDER_FACT_FIELDS);
  const raw: string[] = [];
  const decoded: string[] = [];
  const sink = {
    size: 0,
    addRaw(buf: Uint8Array, o: { idStart: number; idEnd: number }) {
      raw.push(Buffer.from(buf.subarray(o.idStart, o.idEnd)).toString('utf8'));
      this.size++;
    },
    add(e: OrderFacts) {
      decoded.push(e.eventId);
      this.size++;
    },
    prepare() {
      const n = this.size;
      return async () => ({ applied: n, duplicates: 0, tooLate: 0 });
    },
  };
  const store = { orderSink: () => sink, applyOrders: async () => ({ applied: 0, duplicates: 0, tooLate: 0 }), prepareOrders: () => async () => ({ applied: 0, duplicates: 0, tooLate: 0 }) };
  const limits = { maxOrderQuantity: 1000, maxUnitPrice: 10000, maxTextChars: 100, maxFutureSkewMs: 3600_000 };
  const handler = orderHandler(store as never, limits, new EventTimeLead(30 * 86_400_000));
  const dlq = new MemoryBus();
  const consumed: Record<string, number> = {};
  const stage = createStage<OrderFacts>({
    codec: facts, validate: handler.validate, handle: handler.handle, prepare: handler.prepare, batch: handler.batch, dlq, retry, log,
    observer: { consumed: (_t, outcome, n) => void (consumed[outcome] = (consumed[outcome] ?? 0) + n), batchSeconds: () => {} },
  });
  const events = Array.from({ length: 20 }, (_, i) => order(i, `P${i % 3}`));
  events[4] = { ...events[4], eventId: 'e4-café' }; // valid, but not ASCII: the full path
  events[9] = { ...events[9], quantity: 0 }; // invalid: the full path gives the reason
  const messages = inbound(events);
  messages[13] = { ...messages[13], value: messages[13].value!.subarray(0, 20) }; // truncated
  await stage(messages, { heartbeat: async () => {} });
  expect(decoded).toEqual(['e4-café']);
  expect(raw).toEqual(events.map((e) => e.eventId).filter((id, i) => i !== 4 && i !== 9 && i !== 13));
  const dead = (dlq.topics.get('orders.dlq') ?? []).map((m) => [m.headers['dlq-source-offset'], m.headers['dlq-code'], m.headers['dlq-reason']]);
  expect(dead).toEqual([
    ['9', 'VALIDATION_FAILED', 'quantity 0 must be a non-zero integer'],
    ['13', 'DECODE_FAILED', 'cannot decode trendcast.events.OrderEvent: truncated datum'],
  ]);
  expect(consumed).toEqual({ ok: 18, dlq: 2 });
});
