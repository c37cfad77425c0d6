/**
 * The consumers' store has a second (control) connection whose loss and recovery in an outage are
 * logged at debug, so one outage is one warning. Lost alone, with the main connection up, it must
 * not go unsaid: a warning a timeout after the loss, and a line when it is back. Against a Redis
 * server of the test's own, whose maxclients makes the control connection's reconnect refused.
 */
import { RedisStateStore } from '../../shared/adapters/redis/state-store';
import type { Logger } from '../../shared/log';
import { DEFAULT_SERIES } from './support/order-consumer';
import { startOwnRedis } from './support/own-redis';
import { waitFor } from './support/services';

const TIMEOUT_MS = 1000;

type Line = { level: string; msg: string; connection?: unknown };

/** A consumer's store (two connections) on a Redis of the test's own, its log lines kept with their level. */
async function storeOnOwnRedis() {
  const redis = await startOwnRedis();
  const lines: Line[] = [];
  const at = (level: string) => (msg: string, ctx?: Record<string, unknown>) => void lines.push({ level, msg, connection: ctx?.connection });
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log };
  const store = new RedisStateStore(redis.url, 'cc', DEFAULT_SERIES, undefined, log, TIMEOUT_MS);
  await store.connect();
  return { redis, lines, store };
}

test('the control connection lost alone: one warning naming it while the main one is up, and a line when it is back', async () => {
  const { redis, lines, store } = await storeOnOwnRedis();
  try {
    const id = await store.control.client('ID');
    const clients = Number(/connected_clients:(\d+)/.exec(await store.redis.info('clients'))![1]);
    // after the kill one client fewer is left, which is the limit: the reconnect is refused
    await store.redis.config('SET', 'maxclients', String(clients - 1));
    await store.redis.client('KILL', 'ID', String(id));
    await waitFor('the warning', async () => lines.some((l) => l.level === 'warn'), 4 * TIMEOUT_MS, 50);
    expect(store.ready).toBe(false);
    expect(await store.redis.ping()).toBe('PONG');
    const warnings = lines.filter((l) => l.level === 'warn');
    expect(warnings).toEqual([{ level: 'warn', msg: 'redis control connection lost while the main one is up; reconnecting', connection: 'control' }]);
    await store.redis.config('SET', 'maxclients', '10000');
    await waitFor('the control connection back', async () => store.ready, 10_000, 50);
    expect(lines.filter((l) => l.level === 'info' && l.msg === 'redis control connection back')).toHaveLength(1);
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1);
  } finally {
    await store.close();
    await redis.stop();
  }
}, 30_000);

test('Redis gone for both connections: the main connection warns, the control connection stays at debug', async () => {
  const { redis, lines, store } = await storeOnOwnRedis();
  try {
    await redis.stop();
    await waitFor('both noticed', async () => lines.filter((l) => l.msg.includes('lost')).length >= 2, 5000, 50);
    // past the control connection's check: still one warning, the main one's
    await new Promise((r) => setTimeout(r, 2 * TIMEOUT_MS));
    expect(lines.filter((l) => l.level === 'warn')).toEqual([{ level: 'warn', msg: 'redis connection lost; reconnecting', connection: undefined }]);
  } finally {
    store.redis.disconnect();
    store.control.disconnect();
  }
}, 30_000);
