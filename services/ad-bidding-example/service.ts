import { groupIdOf } from '../../shared/config/common';
import { subscribeTrends } from '../../shared/clients/trends';
import { checkBiddingParams } from '../../shared/domain/bidding';
import { parseConfig } from '../../shared/config/spec';
import { createKafka } from '../../shared/adapters/kafka/client';
import { startLagMonitor } from '../../shared/adapters/kafka/lag';
import { connectRedis, createRedis } from '../../shared/adapters/redis/connection';
import { productKeys } from '../../shared/adapters/redis/keys';
import { topicNames } from '../../shared/adapters/transport';
import { createLogger, type LogLevel } from '../../shared/log';
import { consumerMetrics, createRegistry } from '../../shared/observability/metrics';
import { startHttpServer } from '../../shared/observability/http';
import { biddingSpec } from './config';
import { bidHandler, type StockLookup } from './handler';

/** Wiring of the example: the typed trends client in, bid multipliers out as JSON lines on stdout. */
export async function startAdBidding(env = process.env): Promise<{ stop(): Promise<void> }> {
  const c = parseConfig(biddingSpec, env);
  const params = checkBiddingParams({ lookaheadBuckets: c.BIDDING_LOOKAHEAD_BUCKETS, sensitivity: c.BIDDING_SENSITIVITY, min: c.BIDDING_MIN, max: c.BIDDING_MAX });
  const log = createLogger('ad-bidding-example', c.LOG_LEVEL as LogLevel);
  const registry = createRegistry('ad-bidding-example');
  const metrics = consumerMetrics(registry);
  const redis = c.BIDDING_STOCK_FROM_REDIS ? createRedis(c.REDIS_URL, log, c.REDIS_TIMEOUT_MS) : null;
  if (redis) await connectRedis([redis]);
  // the restock trigger keeps each product's newest stock count under its hash tag
  const stockOf: StockLookup = async (sku) => {
    if (!redis) return null;
    const [onHand, onOrder] = await redis.hmget(productKeys(c.KEY_PREFIX, sku).inventory, 'onHand', 'onOrder');
    return onHand === null ? null : Number(onHand) + Number(onOrder ?? 0);
  };
  const onTrend = bidHandler(params, stockOf, (line) => process.stdout.write(JSON.stringify(line) + '\n'));
  const topic = topicNames(c.TOPIC_PREFIX).trends;
  const groupId = groupIdOf(c.CONSUMER_GROUP, c.TOPIC_PREFIX, 'ad-bidding-example');
  const sub = await subscribeTrends({
    brokers: c.KAFKA_BROKERS, groupId, topic, fromBeginning: c.FROM_BEGINNING, clientId: `${c.KAFKA_CLIENT_ID}-ad-bidding`, log,
    onTrend: async (t, meta) => {
      const line = await onTrend(t, meta);
      metrics.observer.consumed(topic, line ? 'ok' : 'duplicate', 1);
    },
  });
  const lag = startLagMonitor(createKafka({ brokers: c.KAFKA_BROKERS, clientId: `${c.KAFKA_CLIENT_ID}-ad-bidding-lag` }, log), groupId, [topic], metrics.lag, 5000, log);
  const server = await startHttpServer(c.METRICS_PORT, registry, { kafka: () => sub.ready, redis: () => !redis || redis.status === 'ready' });
  log.info('started', { topic, groupId, params, metricsPort: server.port });
  return {
    stop: async () => {
      await sub.stop();
      await lag.stop();
      await redis?.quit().catch(() => redis.disconnect());
      await server.close();
    },
  };
}
