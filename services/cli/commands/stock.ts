import { flagHelp, parseFlags, type FlagDefs } from '../args';
import type { Command } from '../command';
import { STOCK_FLAGS } from '../../stock-loader/flags';

const FLAGS: FlagDefs = STOCK_FLAGS;

export const stock: Command = {
  name: 'stock',
  summary: 'publish stock counts (a CSV, or one product) on the inventory topic, for the restock trigger',
  help: () => `usage: trendcast stock --file FILE
       trendcast stock --sku SKU --on-hand N --lead-time DAYS [--on-order N] [--at TIME]

Publishes stock counts as inventory events (schemas/inventory.avsc), keyed by product, which the
restock trigger compares with the forecasts. The CSV has a header line naming its columns, in any
order: sku, onHand, onOrder, leadTimeDays, and optionally countedAt (when the stock was counted;
default now). Every row is checked first: if any is bad, each bad line is reported and nothing is
published. A dated count loaded twice gives the same event, so re-running a file changes nothing.
Needs Kafka (trendcast infra up).

${flagHelp(FLAGS)}

Also read from the environment: KAFKA_BROKERS (default 127.0.0.1:9092), TOPIC_PARTITIONS,
MAX_FUTURE_SKEW_MS, LOG_LEVEL; see docs/config.md (stock-loader).`,
  async run(argv) {
    parseFlags(argv, FLAGS, 'stock');
    const { main } = await import('../../stock-loader/main');
    await main(argv);
    return 0;
  },
};
