import { Kafka, logLevel, type Admin, type ITopicConfig } from 'kafkajs';
import { repeatFilter, type Logger } from '../../log';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
}

/**
 * One Kafka client per process; kafkajs's own logs go through ours, at warn and above. While a
 * broker is away kafkajs logs two lines per connection attempt, several a second: the same message
 * is written at most once per 30 s, with the count of those dropped meanwhile (`repeated`).
 */
export function createKafka(s: KafkaSettings, log: Logger): Kafka {
  const fresh = repeatFilter(30_000);
  return new Kafka({
    clientId: s.clientId,
    brokers: s.brokers,
    logLevel: logLevel.WARN,
    retry: { retries: 8, initialRetryTime: 200 },
    logCreator: () => ({ namespace, level, log: entry }) => {
      const { message, timestamp: _ts, logger: _l, ...ctx } = entry;
      const repeated = fresh(`${namespace} ${message}`);
      if (repeated === null) return;
      const fn = level <= logLevel.ERROR ? log.error : log.warn;
      fn(`kafkajs: ${message}`, repeated > 0 ? { namespace, ...ctx, repeated } : { namespace, ...ctx });
    },
  });
}

/**
 * Creates the topics a service needs (and their dead-letter topics) when missing, and waits until
 * the broker serves them. Several services start at once and race to create the same topic (one
 * wins, the others see "already exists" or, for a moment, "does not host this topic-partition"),
 * so the whole check is retried a few times before start-up fails.
 */
export async function ensureTopics(kafka: Kafka, topics: string[], numPartitions: number, attempts = 8): Promise<void> {
  const wanted = [...new Set(topics)];
  for (let attempt = 1; ; attempt++) {
    const admin: Admin = kafka.admin();
    try {
      await admin.connect();
      const existing = new Set(await admin.listTopics());
      const missing: ITopicConfig[] = wanted.filter((t) => !existing.has(t)).map((topic) => ({ topic, numPartitions, replicationFactor: 1 }));
      if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
      await admin.fetchTopicMetadata({ topics: wanted });
      return;
    } catch (err) {
      if (attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 250 * attempt));
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }
}
