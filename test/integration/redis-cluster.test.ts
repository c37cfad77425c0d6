/**
 * Trendcast needs a standalone Redis: its order script updates several products in one call, which
 * Redis Cluster refuses. Pointed at a cluster node, a service must stop at start-up with one line
 * naming REDIS_URL (exit code 2), not retry CLUSTERDOWN or CROSSSLOT replies as an outage. The node
 * is a real redis-server started with --cluster-enabled yes; the standalone Redis of the other tests
 * is the control.
 */
import { RedisStateStore } from '../../shared/adapters/redis/state-store';
import { DEFAULT_SERIES } from './support/order-consumer';
import { ConfigError } from '../../shared/errors';
import { startOwnRedis, type OwnRedis } from './support/own-redis';
import { REDIS_URL, runToEnd, uniq } from './support/services';

let node: OwnRedis;
const prefix = uniq('cluster');

beforeAll(async () => {
  node = await startOwnRedis({ persistence: 'snapshot', args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'] });
}, 30_000);
afterAll(() => node?.close());

test('the state store stops at connect on a cluster node, naming REDIS_URL, and connects to a standalone Redis', async () => {
  const onCluster = new RedisStateStore(node.url, prefix, DEFAULT_SERIES);
  try {
    const err = await onCluster.connect().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe('REDIS_URL');
    expect((err as Error).message).toMatch(/^invalid configuration REDIS_URL: points at a Redis Cluster node \(127\.0\.0\.1:\d+\)/);
  } finally {
    await onCluster.close();
  }
  const standalone = new RedisStateStore(REDIS_URL, prefix, DEFAULT_SERIES);
  try {
    await expect(standalone.connect()).resolves.toBeUndefined();
  } finally {
    await standalone.close();
  }
}, 30_000);

test.each(['order-consumer', 'restock-trigger'])('%s pointed at a cluster node exits with code 2 and one line naming REDIS_URL', async (service) => {
  const r = await runToEnd(`services/${service}/main.ts`, [], { REDIS_URL: node.url, KEY_PREFIX: prefix, TOPIC_PREFIX: `${prefix}-` });
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('invalid configuration'))).toEqual([
    expect.stringMatching(/^invalid configuration REDIS_URL: points at a Redis Cluster node/),
  ]);
}, 60_000);
