import type { Kafka } from 'kafkajs';
import type { Gauge } from 'prom-client';
import type { Logger } from '../../log';

/** Polls committed offsets against partition ends and sets the lag gauge per partition. */
export function startLagMonitor(kafka: Kafka, groupId: string, topics: string[], gauge: Gauge<string>, everyMs: number, log: Logger): { stop(): Promise<void> } {
  const admin = kafka.admin();
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const tick = async () => {
    try {
      const committed = await admin.fetchOffsets({ groupId, topics });
      for (const { topic, partitions } of committed) {
        const ends = await admin.fetchTopicOffsets(topic);
        for (const end of ends) {
          const c = partitions.find((p) => p.partition === end.partition);
          const at = c && Number(c.offset) >= 0 ? Number(c.offset) : Number(end.low);
          gauge.set({ topic, partition: String(end.partition), group: groupId }, Math.max(0, Number(end.high) - at));
        }
      }
    } catch (err) {
      log.warn('lag poll failed', { err: err as Error });
    }
    if (!stopped) timer = setTimeout(tick, everyMs);
  };
  void admin.connect().then(tick, (err) => log.warn('lag monitor cannot connect', { err: err as Error }));
  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await admin.disconnect().catch(() => {});
    },
  };
}
