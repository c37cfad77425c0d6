import { groupIdOf, validationLimits } from '../../shared/config/common';
import { codecFor } from '../../shared/avro/codec';
import type { InventoryEvent, RestockAlert, Trend } from '../../shared/domain/events';
import { validateTrendForRestock } from '../../shared/domain/restock';
import { validateInventory } from '../../shared/domain/validation';
import { parseConfig } from '../../shared/config/spec';
import { createKafka, ensureTopics } from '../../shared/adapters/kafka/client';
import { startLagMonitor } from '../../shared/adapters/kafka/lag';
import { KafkaPublisher } from '../../shared/adapters/kafka/publisher';
import { KafkaSubscriber } from '../../shared/adapters/kafka/subscriber';
import { RedisCheckpoints } from '../../shared/adapters/redis/checkpoints';
import { createStage } from '../../shared/adapters/stage';
import { dlqTopic, topicNames, type BatchListener } from '../../shared/adapters/transport';
import { createLogger, type LogLevel } from '../../shared/log';
import { consumerMetrics, counter, createRegistry, METRICS, redisMetrics } from '../../shared/observability/metrics';
import { startHttpServer } from '../../shared/observability/http';
import { restockSpec } from './config';
import { RestockHandler } from './handler';
import { RestockStore } from './store';

/** Wiring of the restock trigger: trends + inventory in, restock-alerts out, state in Redis. */
export async function startRestockTrigger(env = process.env): Promise<{ stop(): Promise<void> }> {
  const c = parseConfig(restockSpec, env);
  const log = createLogger('restock-trigger', c.LOG_LEVEL as LogLevel);
  const registry = createRegistry('restock-trigger');
  const metrics = consumerMetrics(registry);
  const alerts = counter(METRICS.restockAlerts, registry);
  // both series exist from the start, so increase() also counts the first alert
  for (const state of ['OPEN', 'RESOLVED']) alerts.inc({ state }, 0);
  const store = new RestockStore(c.REDIS_URL, c.KEY_PREFIX, redisMetrics(registry), log, c.REDIS_TIMEOUT_MS);
  await store.connect();
  const kafka = createKafka({ brokers: c.KAFKA_BROKERS, clientId: `${c.KAFKA_CLIENT_ID}-restock-trigger` }, log);
  const t = topicNames(c.TOPIC_PREFIX);
  await ensureTopics(kafka, [t.trends, t.inventory, t.restockAlerts, dlqTopic(t.trends), dlqTopic(t.inventory)], c.TOPIC_PARTITIONS);
  const publisher = new KafkaPublisher(kafka);
  await publisher.connect();
  const handler = new RestockHandler(store, publisher, t.restockAlerts, codecFor<RestockAlert>('restock-alert'), { rule: { resolveMargin: c.RESTOCK_RESOLVE_MARGIN }, outboxGraceMs: c.RESTOCK_OUTBOX_GRACE_MS }, log, {
    emitted: (state, n) => alerts.inc({ state }, n),
  });
  const retry = { retries: c.RETRY_COUNT, initialMs: c.RETRY_INITIAL_MS, maxMs: c.RETRY_MAX_MS };
  const limits = validationLimits(c);
  const common = { dlq: publisher, retry, log, observer: metrics.observer };
  // the trigger reads trends like any consumer of the topic: a newer forecaster's schema is read as a prefix
  const stages: Record<string, BatchListener> = {
    [t.trends]: createStage<Trend>({ ...common, codec: codecFor<Trend>('trend', true), validate: validateTrendForRestock, handle: (e) => handler.onTrends(e) }),
    [t.inventory]: createStage<InventoryEvent>({ ...common, codec: codecFor<InventoryEvent>('inventory'), validate: (e) => validateInventory(e, limits), handle: (e) => handler.onStock(e) }),
  };
  const groupId = groupIdOf(c.CONSUMER_GROUP, c.TOPIC_PREFIX, 'restock-trigger');
  // Redis coming back with less is replayed from these; inputs older than the state are skipped and
  // an alert re-sent keeps its id (shared/domain/restock.ts: alertIdFor)
  const checkpoints = new RedisCheckpoints(store.redis, c.KEY_PREFIX, groupId);
  for (const topic of [t.trends, t.inventory]) metrics.stateRewinds.inc({ topic }, 0);
  const subscriber = new KafkaSubscriber(kafka, log, {
    chunkSize: c.CONSUMER_CHUNK_SIZE, partitionsConcurrently: c.CONSUMER_PARTITIONS_CONCURRENTLY, maxBytesPerPartition: c.CONSUMER_BATCH_MAX_BYTES, maxBytes: c.CONSUMER_FETCH_MAX_BYTES, maxPendingChunks: c.CONSUMER_PENDING_CHUNKS, sessionTimeoutMs: c.CONSUMER_SESSION_TIMEOUT_MS,
    checkpoints, onStateBehind: (topic) => metrics.stateRewinds.inc({ topic }),
  });
  // a batch holds one topic-partition, so each goes whole to its topic's stage
  const sub = await subscriber.subscribe({ groupId, topics: [t.trends, t.inventory], fromBeginning: c.FROM_BEGINNING }, (messages, ctx) =>
    messages.length === 0 ? Promise.resolve() : stages[messages[0].topic](messages, ctx),
  );
  const lag = startLagMonitor(kafka, groupId, [t.trends, t.inventory], metrics.lag, 5000, log);
  const server = await startHttpServer(c.METRICS_PORT, registry, {
    kafka: () => subscriber.ready && publisher.healthy,
    redis: () => store.redis.status === 'ready',
  });
  log.info('started', { topics: [t.trends, t.inventory], alerts: t.restockAlerts, groupId, metricsPort: server.port });
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await sub.stop();
      await lag.stop();
      await publisher.disconnect();
      await store.close();
      await server.close();
      log.info('stopped');
    })());
  return { stop };
}
