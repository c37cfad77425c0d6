/**
 * The order consumer's work per message without Kafka or Redis, on the events of bench/pipeline.ts
 * in chunks of 35,000 (about what one partition's fetch brings): the full path (avsc decode of the
 * six fields, validateOrder, OrderBatch.add, the call arguments) against the fast path
 * (readRawOrder, rawOrderValid, OrderBatch.addRaw, the same call arguments). CPU per event of the
 * last of 4 repeats, alternating, so that both see the same JIT and the same minutes.
 *
 *   npx tsx bench/order-decode.ts [--orders N]
 */
import { codecFor } from '../shared/avro/codec';
import { readRawOrder } from '../shared/avro/order-reader';
import { OrderBatch, orderPieces } from '../shared/adapters/redis/order-args';
import { emptyRawOrder, ORDER_FACT_FIELDS, type OrderEvent, type OrderFacts } from '../shared/domain/events';
import { rawOrderValid, validateOrder } from '../shared/domain/validation';
import { orderEvents } from './retail-data';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const CHUNK = 35_000;
const DAY = 86_400_000;
const limits = { maxOrderQuantity: 1e6, maxUnitPrice: 1e6, maxTextChars: 10_000, maxFutureSkewMs: DAY };

async function main() {
  const { events } = await orderEvents(arg('--orders', 400_000));
  const writer = codecFor<OrderEvent>('order');
  // the messages as kafkajs hands them over: views into one buffer
  const encoded = events.map((e) => writer.encode(e));
  const all = Buffer.concat(encoded);
  const values: Buffer[] = [];
  for (let i = 0, off = 0; i < encoded.length; off += encoded[i++].length) values.push(all.subarray(off, off + encoded[i].length));
  const facts = codecFor<OrderFacts>('order', false, ORDER_FACT_FIELDS);
  const raw = emptyRawOrder();
  const paths: [string, (chunk: Buffer[]) => void][] = [
    ['full: avsc + validateOrder + add', (chunk) => {
      const valid: OrderFacts[] = [];
      for (const v of chunk) valid.push(validateOrder(facts.decode(v).value, limits));
      orderPieces(valid, DAY, 400, 2000);
    }],
    ['fast: readRawOrder + rawOrderValid + addRaw', (chunk) => {
      const batch = new OrderBatch(DAY);
      const now = Date.now();
      for (const v of chunk) {
        if (!readRawOrder(v, raw) || !rawOrderValid(v, raw, limits, now)) throw new Error('an order of the bench took the full path');
        batch.addRaw(v, raw);
      }
      batch.pieces(400, 2000);
    }],
  ];
  const last = new Map<string, number>();
  for (let rep = 0; rep < 4; rep++) {
    for (const [label, run] of paths) {
      const c0 = process.cpuUsage();
      for (let i = 0; i < values.length; i += CHUNK) run(values.slice(i, i + CHUNK));
      const c = process.cpuUsage(c0);
      last.set(label, (c.user + c.system) / values.length);
    }
  }
  process.stdout.write(`| path (${values.length} orders, chunks of ${CHUNK}) | CPU per order |\n| --- | ---: |\n`);
  for (const [label, us] of last) process.stdout.write(`| ${label} | ${us.toFixed(2)} us |\n`);
}

void main().then(() => process.exit(0), (err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
