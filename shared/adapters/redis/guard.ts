import type { Histogram } from 'prom-client';
import { TrendcastError } from '../../errors';

/**
 * Times a Redis call into the latency histogram and turns a client failure into a retriable
 * STORE_UNAVAILABLE, so the stage retries the batch instead of dead-lettering it.
 */
export async function redisCall<T>(p: Promise<T>, op: string, latency?: Histogram<string>): Promise<T> {
  const end = latency?.startTimer({ op });
  try {
    return await p;
  } catch (err) {
    if (err instanceof TrendcastError) throw err;
    throw new TrendcastError('STORE_UNAVAILABLE', `redis ${op} failed: ${(err as Error).message}`, { retriable: true, cause: err });
  } finally {
    end?.();
  }
}
