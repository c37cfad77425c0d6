import type { ProductSnapshot } from '../../../shared/domain/state';
import Redis from 'ioredis';
import { REDIS_URL } from './services';

export async function deleteKeysWithPrefix(prefix: string): Promise<void> {
  const r = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length) await r.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await r.quit();
}

/** A snapshot's demand with its values as a plain array (RedisStateStore reads them into a Float64Array), for toEqual. */
export const plainDemand = (d: ProductSnapshot['demand']) => d && { ...d, values: Array.from(d.values) };
