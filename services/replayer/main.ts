import * as path from 'path';
import { SingleBar } from 'cli-progress';
import { kafkaSpec, serviceSpec } from '../../shared/config/common';
import { parseConfig, type Spec } from '../../shared/config/spec';
import { createKafka, ensureTopics } from '../../shared/adapters/kafka/client';
import { KafkaPublisher } from '../../shared/adapters/kafka/publisher';
import { runOnce } from '../../shared/adapters/main';
import { topicNames } from '../../shared/adapters/transport';
import { createLogger, type LogLevel } from '../../shared/log';
import { flagsToEnv, REPLAY_FLAGS } from './flags';
import { replay } from './replay';

export { flagsToEnv };

export const replayerSpec = {
  ...kafkaSpec,
  LOG_LEVEL: serviceSpec.LOG_LEVEL,
  TOPIC_PARTITIONS: { kind: 'int', default: 3, min: 1, max: 1000, doc: 'Partitions of topics created by the replayer' },
  REPLAY_FILE: { kind: 'string', default: path.resolve(__dirname, '../../test/fixtures/online-retail/sample.csv'), doc: 'Online Retail CSV (.csv or .csv.gz) to publish' },
  REPLAY_SPEED: { kind: 'float', default: 0, min: 0, doc: 'Event time per wall time (86400 = a day per second; 0 = as fast as possible)' },
  REPLAY_BATCH: { kind: 'int', default: 1000, min: 1, max: 100000, doc: 'Rows per produce call' },
  REPLAY_LIMIT: { kind: 'int', default: 0, min: 0, doc: 'Stop after this many rows (0 = all)' },
} satisfies Spec;

// every flag sets a variable of replayerSpec (checked by the compiler)
const flagsSetKnownVariables: (typeof REPLAY_FLAGS)[keyof typeof REPLAY_FLAGS]['env'] extends keyof typeof replayerSpec ? true : never = true;
void flagsSetKnownVariables;

export async function main(argv: string[], env = process.env): Promise<{ stop(): Promise<void> }> {
  const c = parseConfig(replayerSpec, { ...env, ...flagsToEnv(argv) });
  const log = createLogger('replayer', c.LOG_LEVEL as LogLevel);
  const kafka = createKafka({ brokers: c.KAFKA_BROKERS, clientId: `${c.KAFKA_CLIENT_ID}-replayer` }, log);
  const topics = topicNames(c.TOPIC_PREFIX);
  await ensureTopics(kafka, [topics.orders, topics.listings, topics.reviews], c.TOPIC_PARTITIONS);
  const publisher = new KafkaPublisher(kafka);
  await publisher.connect();
  const bar = new SingleBar({ format: 'replay [{bar}] {percentage}% {value}/{total} rows | event time {when}', stream: process.stderr });
  let started = false;
  const stats = await replay({
    file: c.REPLAY_FILE, topics, publisher, speed: c.REPLAY_SPEED, batchSize: c.REPLAY_BATCH, limit: c.REPLAY_LIMIT,
    onProgress: (done, total, t) => {
      if (!started) bar.start(total, 0, { when: '' });
      started = true;
      bar.update(done, { when: new Date(t).toISOString().slice(0, 16) });
    },
  });
  bar.stop();
  await publisher.disconnect();
  log.info('replay finished', { ...stats, file: c.REPLAY_FILE });
  process.stdout.write(`replayed ${stats.rows} rows: ${stats.orders} order and ${stats.listings} listing events, ${stats.skipped} skipped, in ${stats.seconds.toFixed(1)} s\n`);
  return { stop: async () => {} };
}

if (require.main === module) runOnce('replayer', () => main(process.argv.slice(2)));
