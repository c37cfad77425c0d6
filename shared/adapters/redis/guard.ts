import type { Histogram } from 'prom-client';
import { TrendcastError } from '../../errors';

/**
 * Redis refusing for a while, not for good, even when the refusal comes from inside a script
 * ("... on @user_script:78"): full (maxmemory with noeviction), a replica after a failover, loading
 * its data, a script busy, a cluster re-sharding. A script is refused at its first write (Redis keeps
 * a script that has written running, for atomicity), so nothing of it was applied: retrying is safe.
 */
const TRANSIENT = /\b(OOM command not allowed|READONLY|LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN)\b/;

/**
 * What a failed Redis call (or one command of a pipeline) means for the caller: retry, or not.
 * Everything that is not a reply of Redis about the command itself is retriable: a lost connection,
 * "Command timed out" (no reply within REDIS_TIMEOUT_MS: Redis unreachable or a network partition;
 * see connection.ts for why running the command again is safe), MaxRetriesPerRequestError.
 */
export function redisError(err: unknown, op: string): TrendcastError {
  if (err instanceof TrendcastError) return err;
  // a script that fails on its input, or a key of the wrong type, fails the same way every time
  const msg = (err as Error).message ?? '';
  if ((err as Error).name === 'ReplyError' && !TRANSIENT.test(msg) && (/user_script|Error running script/.test(msg) || msg.startsWith('WRONGTYPE'))) {
    return new TrendcastError('HANDLER_FAILED', `redis ${op} failed: ${msg}`, { retriable: false, cause: err });
  }
  return new TrendcastError('STORE_UNAVAILABLE', `redis ${op} failed: ${msg}`, { retriable: true, cause: err });
}

/**
 * Times a Redis call into the latency histogram and turns a client failure into a retriable
 * STORE_UNAVAILABLE, so the stage retries the batch instead of dead-lettering it; a script error
 * becomes a permanent HANDLER_FAILED, which the stage narrows down to the message that causes it.
 */
export async function redisCall<T>(p: Promise<T>, op: string, latency?: Histogram<string>): Promise<T> {
  const end = latency?.startTimer({ op });
  try {
    return await p;
  } catch (err) {
    throw redisError(err, op);
  } finally {
    end?.();
  }
}

/**
 * The replies of a pipeline, or the first of its commands' errors, classified: exec() itself
 * resolves when a command fails (each reply is [err, value]), so a caller that only awaits it
 * would take a failed write for done.
 */
export async function pipelineCall(p: Promise<[Error | null, unknown][] | null>, op: string, latency?: Histogram<string>): Promise<unknown[]> {
  const replies = (await redisCall(p, op, latency)) ?? [];
  const failed = replies.find(([err]) => err);
  if (failed) throw redisError(failed[0], op);
  return replies.map(([, v]) => v);
}
