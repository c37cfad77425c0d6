import { Kafka, logLevel, type Admin, type ITopicConfig } from 'kafkajs';
import type { Logger } from '../../log';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
}

/** One Kafka client per process; kafkajs's own logs go through ours, at warn and above. */
export function createKafka(s: KafkaSettings, log: Logger): Kafka {
  return new Kafka({
    clientId: s.clientId,
    brokers: s.brokers,
    logLevel: logLevel.WARN,
    retry: { retries: 8, initialRetryTime: 200 },
    logCreator: () => ({ namespace, level, log: entry }) => {
      const { message, timestamp: _ts, logger: _l, ...ctx } = entry;
      const fn = level <= logLevel.ERROR ? log.error : log.warn;
      fn(`kafkajs: ${message}`, { namespace, ...ctx });
    },
  });
}

/** Creates the topics a service needs (and their dead-letter topics) when missing. */
export async function ensureTopics(kafka: Kafka, topics: string[], numPartitions: number): Promise<void> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing: ITopicConfig[] = [...new Set(topics)].filter((t) => !existing.has(t)).map((topic) => ({ topic, numPartitions, replicationFactor: 1 }));
    if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}
