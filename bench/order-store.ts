/**
 * The order path without Kafka: the events of bench/pipeline.ts applied through RedisStateStore in
 * chunks (as the order-consumer does), twice (the second pass is all duplicates). Prints events/s,
 * Node CPU and Redis CPU per event, to see which side of the store costs what.
 *
 *   npx tsx bench/order-store.ts [--orders N] [--chunk N]
 */
import * as fs from 'fs';
import * as path from 'path';
import { RedisStateStore } from '../shared/adapters/redis/state-store';
import { deleteKeysWithPrefix } from '../test/integration/support/redis';
import { REDIS_URL, ROOT, uniq } from '../test/integration/support/services';
import type { OrderEvent } from '../shared/domain/events';
import { orderEvents } from './retail-data';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
function redisCpu(): number {
  const pid = Number(fs.readFileSync(path.join(ROOT, '.infra/redis/redis.pid'), 'utf8'));
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

async function pass(store: RedisStateStore, all: OrderEvent[], chunk: number, label: string) {
  const r0 = redisCpu();
  const c0 = process.cpuUsage();
  const t0 = Date.now();
  let applied = 0;
  for (let i = 0; i < all.length; i += chunk) applied += (await store.applyOrders(all.slice(i, i + chunk))).applied;
  const s = (Date.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const us = (x: number) => ((x * 1e6) / all.length).toFixed(2);
  process.stdout.write(`${label}: ${Math.round(all.length / s).toLocaleString('en')} events/s (${applied} applied); Node ${us((c.user + c.system) / 1e6)} us/event, Redis ${us(redisCpu() - r0)} us/event\n`);
}

async function main() {
  const { events: all } = await orderEvents(arg('--orders', 400_000));
  const chunk = arg('--chunk', 50_000);
  const prefix = uniq('bos');
  const store = new RedisStateStore(REDIS_URL, prefix, { alpha: 0.3, beta: 0.1, bucketMs: 86_400_000, maxBuckets: 400, reviewDecay: 0.1 });
  await store.connect();
  try {
    await pass(store, all, chunk, 'new events');
    await pass(store, all, chunk, 'duplicates');
  } finally {
    await store.close();
    await deleteKeysWithPrefix(prefix);
  }
}

void main().then(() => process.exit(0), (err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
