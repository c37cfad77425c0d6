import { RedisStateStore } from '../../../shared/adapters/redis/state-store';
import { createTopics, deleteTopicsWithPrefix } from './kafka';
import { deleteKeysWithPrefix } from './redis';
import { REDIS_URL, startService, uniq, type RunningService } from './services';

/** The order consumer's default series settings (the store a test reads with must match them). */
export const DEFAULT_SERIES = { alpha: 0.3, beta: 0.1, bucketMs: 86_400_000, maxBuckets: 400, reviewDecay: 0.1 };

export interface OrderConsumerRun {
  topic: string;
  group: string;
  keyPrefix: string;
  svc: RunningService;
  /** A store on the same keys, to read what the consumer wrote. */
  store: RedisStateStore;
  /** Starts the service again on the same topic, group and keys (after it was stopped or killed). */
  restart(): Promise<RunningService>;
  close(): Promise<void>;
}

/**
 * The order consumer as its own process on its own topic, group and key prefix, with a store to
 * read its state; `before` runs once the topics exist and before the process starts (to
 * produce a backlog, say). `env` may
 * name another REDIS_URL (a Redis of the test's own).
 */
export async function startOrderConsumer(tag: string, env: Record<string, string> = {}, before?: (keyPrefix: string, topic: string) => Promise<void>): Promise<OrderConsumerRun> {
  const prefix = uniq(`it-${tag}-`);
  const keyPrefix = uniq(`it${tag}`);
  const topic = `${prefix}-orders`;
  const group = `${prefix}-orders`;
  const redisUrl = env.REDIS_URL ?? REDIS_URL;
  await createTopics([topic, `${topic}.dlq`]);
  await before?.(keyPrefix, topic);
  const start = () => startService('order-consumer', { TOPIC_PREFIX: `${prefix}-`, KEY_PREFIX: keyPrefix, CONSUMER_GROUP: group, ...env });
  const store = new RedisStateStore(redisUrl, keyPrefix, DEFAULT_SERIES);
  const run: OrderConsumerRun = {
    topic, group, keyPrefix, store,
    svc: await start(),
    restart: async () => {
      await run.svc.stop();
      return (run.svc = await start());
    },
    close: async () => {
      await run.svc.stop();
      await store.close();
      if (redisUrl === REDIS_URL) await deleteKeysWithPrefix(keyPrefix);
      await deleteTopicsWithPrefix(prefix);
    },
  };
  await store.connect();
  return run;
}
