import { flagHelp, parseFlags, type FlagDefs } from '../args';
import type { Command } from '../command';

const FLAGS: FlagDefs = {
  '--file': { value: true, arg: 'FILE', env: 'REPLAY_FILE', help: 'Online Retail CSV (.csv or .csv.gz); default the bundled sample' },
  '--speed': { value: true, arg: 'X', env: 'REPLAY_SPEED', help: 'event time per wall time (86400 = a day per second; 0 = as fast as possible, the default)' },
  '--batch': { value: true, arg: 'N', env: 'REPLAY_BATCH', help: 'rows per produce call (default 1000)' },
  '--limit': { value: true, arg: 'N', env: 'REPLAY_LIMIT', help: 'stop after N rows (0 = all, the default)' },
  '--topic-prefix': { value: true, arg: 'P', env: 'TOPIC_PREFIX', help: 'prefix of the topic names (default none)' },
};

export const replay: Command = {
  name: 'replay',
  summary: 'publish an Online Retail CSV to Kafka as listing and order events, in event-time order',
  help: () => `usage: trendcast replay [options]

Publishes each row as a listing event (first sight of a product) and an order event (orders,
cancellations and returns) on the orders and listings topics, in event-time order, with a progress
bar. Needs Kafka (trendcast infra up).

${flagHelp(FLAGS)}

Also read from the environment: KAFKA_BROKERS (default 127.0.0.1:9092), TOPIC_PARTITIONS, LOG_LEVEL;
see docs/config.md (replayer).`,
  async run(argv) {
    parseFlags(argv, FLAGS, 'replay');
    const { main } = await import('../../replayer/main');
    const svc = await main(argv);
    await svc.stop();
    return 0;
  },
};
