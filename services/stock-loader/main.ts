import * as fs from 'fs';
import { kafkaSpec, serviceSpec, validationLimits, validationSpec } from '../../shared/config/common';
import { parseConfig, type Spec } from '../../shared/config/spec';
import { envFromFlags } from '../../shared/config/flags';
import { ConfigError } from '../../shared/errors';
import { createKafka, ensureTopics } from '../../shared/adapters/kafka/client';
import { KafkaPublisher } from '../../shared/adapters/kafka/publisher';
import { runOnce } from '../../shared/adapters/main';
import { topicNames } from '../../shared/adapters/transport';
import { createLogger, type LogLevel } from '../../shared/log';
import { STOCK_FLAGS } from './flags';
import { publishStock, stockEvents } from './load';

export const stockSpec = {
  ...kafkaSpec,
  ...validationSpec,
  LOG_LEVEL: serviceSpec.LOG_LEVEL,
  TOPIC_PARTITIONS: { kind: 'int', default: 3, min: 1, max: 1000, doc: 'Partitions of the inventory topic when the loader creates it' },
  STOCK_FILE: { kind: 'string', default: '', doc: "CSV of stock counts ('-' = stdin); empty = one count from the STOCK_* variables below" },
  STOCK_SKU: { kind: 'string', default: '', doc: 'One count: the product' },
  STOCK_ON_HAND: { kind: 'string', default: '', doc: 'One count: units in stock' },
  STOCK_ON_ORDER: { kind: 'string', default: '0', doc: 'One count: units on order, not yet received' },
  STOCK_LEAD_TIME_DAYS: { kind: 'string', default: '', doc: 'One count: supplier lead time in days (1..365)' },
  STOCK_COUNTED_AT: { kind: 'string', default: '', doc: 'One count: when it was counted (ISO date-time with zone, date, or epoch ms; empty = now)' },
} satisfies Spec;

/** Wiring: config -> counts (all valid, or nothing is sent) -> the inventory topic. Returns the count published. */
export async function main(argv: string[], env = process.env): Promise<number> {
  const c = parseConfig(stockSpec, { ...env, ...envFromFlags(argv, STOCK_FLAGS) });
  if (!c.STOCK_FILE && !c.STOCK_SKU) throw new ConfigError('STOCK_FILE', 'give a file (--file) or one count (--sku, --on-hand, --lead-time; variables STOCK_SKU, STOCK_ON_HAND, STOCK_LEAD_TIME_DAYS)');
  if (c.STOCK_FILE && c.STOCK_SKU) throw new ConfigError('STOCK_SKU', 'give either a file (--file) or one count (--sku ...), not both');
  const csv = c.STOCK_FILE ? fs.readFileSync(c.STOCK_FILE === '-' ? 0 : c.STOCK_FILE, 'utf8') : null;
  const single = { sku: c.STOCK_SKU, onHand: c.STOCK_ON_HAND, onOrder: c.STOCK_ON_ORDER, leadTimeDays: c.STOCK_LEAD_TIME_DAYS, countedAt: c.STOCK_COUNTED_AT };
  const { events, errors } = stockEvents({ csv, single }, validationLimits(c));
  if (errors.length) throw new Error(`nothing published, ${errors.length} bad count(s) in ${c.STOCK_FILE || 'the flags'}:\n  ${errors.join('\n  ')}`);
  const log = createLogger('stock-loader', c.LOG_LEVEL as LogLevel);
  const kafka = createKafka({ brokers: c.KAFKA_BROKERS, clientId: `${c.KAFKA_CLIENT_ID}-stock-loader` }, log);
  const topic = topicNames(c.TOPIC_PREFIX).inventory;
  await ensureTopics(kafka, [topic], c.TOPIC_PARTITIONS);
  const publisher = new KafkaPublisher(kafka);
  await publisher.connect();
  try {
    await publishStock(events, publisher, topic);
  } finally {
    await publisher.disconnect();
  }
  process.stdout.write(`published ${events.length} stock count(s) of ${new Set(events.map((e) => e.sku)).size} product(s) on ${topic}\n`);
  return events.length;
}

if (require.main === module) runOnce('stock-loader', () => main(process.argv.slice(2)));
