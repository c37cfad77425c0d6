import { flagHelp, parseFlags, type FlagDefs } from '../args';
import type { Command } from '../command';
import { REPLAY_FLAGS } from '../../replayer/flags';

const FLAGS: FlagDefs = REPLAY_FLAGS;

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
