/**
 * The replayer publishes the bundled Online Retail sample to Kafka; the order consumer's Redis
 * demand then equals EVALUATION.md's daily demand computed straight from the file by the backtest
 * loader (max(0, day sum), cancellations included), product by product.
 */
import * as path from 'path';
import { loadRetail } from '../../shared/backtest/online-retail';
import { RedisStateStore } from '../../shared/adapters/redis/state-store';
import { deleteTopicsWithPrefix, groupLag } from './support/kafka';
import { deleteKeysWithPrefix } from './support/redis';
import { REDIS_URL, ROOT, runToEnd, startService, uniq, waitFor, type RunningService } from './support/services';

const FILE = path.join(ROOT, 'test/fixtures/online-retail/sample.csv');
const prefix = uniq('rp-');
const keyPrefix = uniq('rp');
let consumer: RunningService;
let store: RedisStateStore;

beforeAll(async () => {
  store = new RedisStateStore(REDIS_URL, keyPrefix, { alpha: 0.3, beta: 0.1, bucketMs: 86_400_000, maxBuckets: 400, reviewDecay: 0.1 });
  await store.connect();
});

afterAll(async () => {
  await consumer?.stop();
  await store.close();
  await deleteKeysWithPrefix(keyPrefix);
  await deleteTopicsWithPrefix(prefix);
});

test('replayed file -> Redis demand equals the evaluation loader, day by day', async () => {
  const run = await runToEnd('services/replayer/main.ts', ['--file', FILE, '--topic-prefix', `${prefix}-`, '--batch', '2000'], {});
  expect(run.code).toBe(0);
  const m = /replayed (\d+) rows: (\d+) order and (\d+) listing events, (\d+) skipped/.exec(run.stdout);
  expect(m).not.toBeNull();
  const [, rows, orders, , skipped] = m!.map(Number);
  expect(Number(orders) + Number(skipped)).toBe(Number(rows));

  consumer = await startService('order-consumer', { TOPIC_PREFIX: `${prefix}-`, KEY_PREFIX: keyPrefix, CONSUMER_GROUP: `${prefix}-oc` });
  await waitFor('orders consumed', async () => (await groupLag(`${prefix}-oc`, `${prefix}-orders`)) === 0);

  const data = await loadRetail(FILE);
  const snaps = await store.read([...data.products.keys()]);
  let compared = 0;
  for (const snap of snaps) {
    const p = data.products.get(snap.sku)!;
    if (!snap.demand) {
      expect(p.lines.every((l) => l.quantity === 0)).toBe(true);
      continue;
    }
    for (let i = 0; i < snap.demand.values.length; i++) {
      const day = snap.demand.oldest + i;
      expect([snap.sku, day, Math.max(0, snap.demand.values[i])]).toEqual([snap.sku, day, p.demand[day - data.firstDay]]);
      compared++;
    }
  }
  expect(compared).toBeGreaterThan(1000);
});
