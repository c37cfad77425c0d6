import type Redis from 'ioredis';
import type { OffsetCheckpoints } from '../transport';
import { redisCall } from './guard';
import { checkpointKey } from './keys';
import type { ScriptCommands } from './scripts';

/**
 * A consumer group's checkpoints in the Redis that holds its state (transport.ts: OffsetCheckpoints).
 * One hash per group, written only once the replies to the effects have come: Redis has executed
 * them by then. It executes commands one at a time (over all connections), and an RDB snapshot or
 * the AOF keeps a prefix of that order, so a checkpoint that survived a restart means the effects
 * before it did too. That holds for one Redis (with replicas);
 * on Redis Cluster each shard restores on its own, so there it is not guaranteed.
 */
export class RedisCheckpoints implements OffsetCheckpoints {
  private readonly key: string;
  private readonly reconnected: (() => void)[] = [];

  constructor(private readonly redis: Redis & ScriptCommands, prefix: string, groupId: string) {
    this.key = checkpointKey(prefix, groupId);
    // 'ready' comes once per connection: the first is the start-up (maybe already past), the others follow a loss
    let connected = redis.status === 'ready';
    redis.on('ready', () => {
      if (connected) for (const fn of this.reconnected) fn();
      connected = true;
    });
  }

  async read(topic: string, partition: number): Promise<string | null> {
    return redisCall(this.redis.hget(this.key, field(topic, partition)), 'checkpoint_read');
  }

  async advance(topic: string, partition: number, expected: string | null, next: string): Promise<{ ok: true } | { ok: false; current: string | null }> {
    const r = await redisCall(this.redis.advanceCheckpoint(this.key, field(topic, partition), expected ?? '', next), 'checkpoint_advance');
    return r[0] === 1 ? { ok: true } : { ok: false, current: r[1] === '' ? null : r[1] };
  }

  onReconnect(fn: () => void): void {
    this.reconnected.push(fn);
  }
}

const field = (topic: string, partition: number) => `${topic}/${partition}`;
