import Redis from 'ioredis';
import type { Logger } from '../../log';

/**
 * The services' Redis client. When Redis goes away, ioredis keeps reconnecting and emits 'error' on
 * every try; with no listener it prints each one to stderr, so a short outage would bury the log in
 * unstructured lines. Instead: one warning when the connection is lost, one line when it is back.
 * The commands that fail meanwhile surface where they are made, as STORE_UNAVAILABLE (guard.ts).
 */
export function createRedis(url: string, log?: Logger): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 3, enableAutoPipelining: true, lazyConnect: true });
  let lost = false;
  redis.on('error', (err: Error) => {
    if (lost) return;
    lost = true;
    log?.warn('redis connection lost; reconnecting', { err: err.message });
  });
  redis.on('ready', () => {
    if (!lost) return;
    lost = false;
    log?.info('redis connection back');
  });
  return redis;
}
