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
  close(): Promise<void>;
}

/**
 * The order consumer as its own process on its own topic, group and key prefix, with a store to
 * read its state; `before` runs once the topics exist and before the process starts.
 */
export async function startOrderConsumer(tag: string, env: Record<string, string> = {}, before?: (keyPrefix: string) => Promise<void>): Promise<OrderConsumerRun> {
  const prefix = uniq(`it-${tag}-`);
  const keyPrefix = uniq(`it${tag}`);
  const topic = `${prefix}-orders`;
  const group = `${prefix}-orders`;
  await createTopics([topic, `${topic}.dlq`]);
  await before?.(keyPrefix);
  const svc = await startService('order-consumer', { TOPIC_PREFIX: `${prefix}-`, KEY_PREFIX: keyPrefix, CONSUMER_GROUP: group, ...env });
  const store = new RedisStateStore(REDIS_URL, keyPrefix, DEFAULT_SERIES);
  await store.connect();
  return {
    topic, group, keyPrefix, svc, store,
    close: async () => {
      await svc.stop();
      await store.close();
      await deleteKeysWithPrefix(keyPrefix);
      await deleteTopicsWithPrefix(prefix);
    },
  };
}
