import Redis from 'ioredis';
import type { Logger } from '../../log';
import { ConfigError, TrendcastError } from '../../errors';

/** Default of REDIS_TIMEOUT_MS (shared/config/common.ts): no reply from Redis for this long means it is unreachable. */
export const DEFAULT_REDIS_TIMEOUT_MS = 10_000;

/**
 * The services' Redis client. When Redis goes away, ioredis keeps reconnecting and emits 'error' on
 * every try; with no listener it prints each one to stderr, so a short outage would bury the log in
 * unstructured lines. Instead: one warning when the connection is lost, one line when it is back.
 * The commands that fail meanwhile surface where they are made, as STORE_UNAVAILABLE (guard.ts).
 *
 * A network partition closes no socket, so without timeouts the client learns nothing: its commands
 * wait until the kernel gives up retransmitting (~15 min on Linux), the status stays 'ready' (so
 * does /readyz) and nothing is logged. `timeoutMs` bounds that:
 * - socketTimeout: a connection that receives no byte for that long while commands wait on it is
 *   destroyed and made again (the 'error' below logs it; /readyz is 503 until the new one is ready).
 *   It measures progress, not duration: a big pipeline whose replies keep arriving is not cut. It
 *   does cut a single command that runs longer; ours are short (at most 2,000 events per script
 *   call, reads stream one reply per product), so the timeout must stay well above that.
 * - commandTimeout: a command with no reply for that long (counted from when it was first sent, or
 *   queued while disconnected) fails with "Command timed out", which guard.ts makes a retriable
 *   STORE_UNAVAILABLE. Redis may still have run it (the request can be on its way, and ioredis sends
 *   commands still unanswered again on the new connection): our writes are idempotent (the scripts
 *   skip an event id they have seen; the restock commit checks a version), so a retry is safe.
 * - connectTimeout: a connection attempt that gets no answer (a SYN dropped by the partition).
 * An idle connection is pinged (below), so a partition is found with nothing else in flight too.
 * TCP keep-alive probes an idle connection after 30 s (not the kernel's 2 h), which keeps the
 * flow alive through NAT/conntrack tables that drop idle ones and lets the kernel find a dead
 * peer on a connection with nothing in flight.
 */
export function createRedis(url: string, log?: Logger, timeoutMs = DEFAULT_REDIS_TIMEOUT_MS, opts: { second?: boolean; primary?: Redis } = {}): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 3, enableAutoPipelining: true, lazyConnect: true,
    socketTimeout: timeoutMs, commandTimeout: timeoutMs, connectTimeout: timeoutMs, keepAlive: 30_000,
  });
  const report = opts.second ? secondReport(log, timeoutMs, opts.primary) : mainReport(log);
  let lost = false;
  redis.on('error', (err: Error) => {
    if (lost) return;
    lost = true;
    const unreachable = /Socket timeout|timed out|ETIMEDOUT/.test(err.message);
    report.lost({ err: err.message, ...(unreachable && { reason: `no reply in ${timeoutMs} ms: Redis unreachable` }) });
  });
  redis.on('ready', () => {
    if (!lost) return;
    lost = false;
    report.back();
  });
  redis.on('end', () => report.back(true));
  redis.on('close', () => clearStaleSocketTimer(redis));
  // An idle connection has nothing in flight, so neither timeout can fire and a partition would go
  // unnoticed (and /readyz stay 200) until the next command: a PING every half timeout finds it
  // within about 1.5 timeouts, idle or not. One command per few seconds per connection.
  const beat = setInterval(() => {
    if (redis.status === 'ready') redis.ping().catch(() => undefined);
  }, Math.max(500, Math.floor(timeoutMs / 2)));
  beat.unref();
  redis.on('end', () => clearInterval(beat));
  return redis;
}

interface Report {
  lost(fields: Record<string, unknown>): void;
  /** The connection is back (or ended for good: then only the pending check is dropped). */
  back(ended?: boolean): void;
}

function mainReport(log?: Logger): Report {
  return {
    lost: (fields) => log?.warn('redis connection lost; reconnecting', fields),
    back: (ended) => !ended && log?.info('redis connection back'),
  };
}

/**
 * A second connection of the same process to the same Redis (RedisStateStore.control) goes away
 * and comes back with the first in an outage: its lines are at debug, so one outage is one warning.
 * But if it alone is lost (a proxy dropped it, maxclients refuses its reconnect), the main
 * connection's lines say nothing. So when, a timeout after its loss, it is still down while
 * `primary` is ready and has not closed since a timeout before that loss (in an outage the two
 * notice within about half a timeout of each other: the pings), that is a warning of its own.
 */
function secondReport(log: Logger | undefined, timeoutMs: number, primary?: Redis): Report {
  const fields = { connection: 'control' };
  let check: NodeJS.Timeout | undefined;
  let warned = false;
  let primaryClosedAt = -Infinity;
  primary?.on('close', () => (primaryClosedAt = Date.now()));
  return {
    lost: (f) => {
      log?.debug('redis connection lost; reconnecting', { ...f, ...fields });
      if (!primary) return;
      const lostAt = Date.now();
      check = setTimeout(() => {
        check = undefined;
        if (primary.status !== 'ready' || primaryClosedAt >= lostAt - timeoutMs) return;
        warned = true;
        log?.warn('redis control connection lost while the main one is up; reconnecting', { ...f, ...fields });
      }, timeoutMs);
      check.unref();
    },
    back: (ended) => {
      clearTimeout(check);
      check = undefined;
      if (ended) return;
      if (warned) log?.info('redis control connection back', fields);
      else log?.debug('redis connection back', fields);
      warned = false;
    },
  };
}

/**
 * ioredis 5 keeps the socket timer of a connection that closed with commands waiting (a reset, a
 * restart of Redis), and when it fires it destroys the connection made since, healthy or not
 * (redis/ioredis#2147, fixed in ioredis 6): each short outage would cost a second reconnect.
 * Cleared here when a connection closes ('close' comes before the reconnect is attempted).
 */
function clearStaleSocketTimer(redis: Redis): void {
  const r = redis as unknown as { socketTimeoutTimer?: NodeJS.Timeout };
  if (r.socketTimeoutTimer === undefined) return;
  clearTimeout(r.socketTimeoutTimer);
  r.socketTimeoutTimer = undefined;
}

/**
 * Stops start-up when `redis` is a Redis Cluster node. Trendcast needs one standalone Redis (a
 * primary, with replicas if wanted): an order script call carries up to 64 products, which Cluster
 * refuses (CROSSSLOT), a key of another node's slot gets MOVED, which this client does not follow,
 * and a node without its slots answers CLUSTERDOWN, which reads as an outage: start-up failed after
 * its retries with a stack trace, and a running consumer would retry it without end. Better one line
 * naming REDIS_URL at start-up. A server that refuses INFO (some proxies do) is let through:
 * nothing is known against it.
 */
export async function assertStandalone(redis: Redis): Promise<void> {
  let info: string;
  try {
    info = await redis.info('cluster');
  } catch {
    return;
  }
  if (/^cluster_enabled:1\b/m.test(info)) {
    const { host, port } = redis.options;
    throw new ConfigError('REDIS_URL', `points at a Redis Cluster node (${host}:${port}); Trendcast needs a standalone Redis (a primary, with replicas if wanted): its scripts update several products in one call, which Cluster refuses (README "Redis Cluster")`);
  }
}

/**
 * Connects a service's clients of one Redis (an unreachable Redis is STORE_UNAVAILABLE, retriable)
 * and checks that it is a standalone one (assertStandalone).
 */
export async function connectRedis(clients: readonly Redis[]): Promise<void> {
  try {
    await Promise.all(clients.map((c) => c.connect()));
  } catch (err) {
    throw new TrendcastError('STORE_UNAVAILABLE', `cannot connect to Redis: ${(err as Error).message}`, { retriable: true, cause: err });
  }
  await assertStandalone(clients[0]);
}
