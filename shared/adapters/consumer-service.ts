import type { Registry } from 'prom-client';
import { codecFor, type SchemaName } from '../avro/codec';
import { consumerTuningSpec, groupIdOf, kafkaSpec, redisSpec, redisTimeoutSpec, seriesSpec, serviceSpec, validationLimits, validationSpec } from '../config/common';
import { parseConfig, type ConfigOf, type Spec } from '../config/spec';
import type { StateStore } from '../domain/state';
import type { ValidationLimits } from '../domain/validation';
import { createLogger, type LogLevel, type Logger } from '../log';
import { consumerMetrics, createRegistry, redisMetrics } from '../observability/metrics';
import { startHttpServer } from '../observability/http';
import { createKafka, ensureTopics } from './kafka/client';
import { KafkaPublisher } from './kafka/publisher';
import { KafkaSubscriber } from './kafka/subscriber';
import { RedisCheckpoints } from './redis/checkpoints';
import { startLagMonitor } from './kafka/lag';
import { RedisStateStore } from './redis/state-store';
import { createStage, type EventBatch, type StageResult } from './stage';
import { dlqTopic, topicNames, type Topics } from './transport';

export const consumerSpec = {
  ...kafkaSpec,
  ...redisSpec,
  ...redisTimeoutSpec,
  ...seriesSpec,
  ...validationSpec,
  ...serviceSpec,
  // CONSUMER_GROUP '' = <TOPIC_PREFIX>trendcast-<service> (groupIdOf)
  ...consumerTuningSpec(50000),
} satisfies Spec;

export type ConsumerConfig = ConfigOf<typeof consumerSpec>;

export interface Handler<T> {
  validate(e: T): T;
  handle(events: T[]): Promise<StageResult>;
  /** See StageOptions.prepare. */
  prepare?(events: T[]): () => Promise<StageResult>;
  /** See StageOptions.batch. */
  batch?(): EventBatch<T>;
  ready?(): boolean;
  close?(): Promise<void>;
}

export interface ConsumerDefinition<T, S extends Spec> {
  service: string;
  schema: SchemaName;
  topic: (t: Topics) => string;
  /** True when the handler's effects do not depend on the order of its chunks (they may then overlap). */
  orderIndependent?: boolean;
  /** Decode only these fields of the schema (an Avro projection; the others are skipped unread). */
  fields?: readonly string[];
  /** Variables of this service beyond consumerSpec. */
  extraSpec: S;
  makeHandler(deps: { store: StateStore; config: ConsumerConfig & ConfigOf<S>; limits: ValidationLimits; log: Logger; registry: Registry }): Promise<Handler<T>>;
}

/** Wires one consumer service: config -> Redis, Kafka, metrics server -> stage -> subscription; SIGTERM stops it. */
export async function runConsumerService<T, S extends Spec>(def: ConsumerDefinition<T, S>, env = process.env): Promise<{ stop(): Promise<void> }> {
  const config = parseConfig({ ...consumerSpec, ...def.extraSpec }, env) as ConsumerConfig & ConfigOf<S>;
  const log = createLogger(def.service, config.LOG_LEVEL as LogLevel);
  const registry = createRegistry(def.service);
  const metrics = consumerMetrics(registry);
  const store = new RedisStateStore(config.REDIS_URL, config.KEY_PREFIX, {
    alpha: config.SMOOTHING_ALPHA, beta: config.SMOOTHING_BETA, bucketMs: config.BUCKET_MS, maxBuckets: config.SERIES_MAX_BUCKETS, reviewDecay: config.REVIEW_EMBEDDING_DECAY,
  }, redisMetrics(registry), log, config.REDIS_TIMEOUT_MS);
  await store.connect();
  const handler = await def.makeHandler({ store, config, limits: validationLimits(config), log, registry });
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-${def.service}` }, log);
  const topic = def.topic(topicNames(config.TOPIC_PREFIX));
  // series exist from the start, so rate()/increase() also see the first DLQ message or duplicate
  for (const outcome of ['ok', 'dlq', 'duplicate', 'late'] as const) metrics.events.inc({ topic, outcome }, 0);
  metrics.dlq.inc({ topic }, 0);
  metrics.stateRewinds.inc({ topic }, 0);
  await ensureTopics(kafka, [topic, dlqTopic(topic)], config.TOPIC_PARTITIONS);
  const dlq = new KafkaPublisher(kafka);
  await dlq.connect();
  const groupId = groupIdOf(config.CONSUMER_GROUP, config.TOPIC_PREFIX, def.service);
  const retry = { retries: config.RETRY_COUNT, initialMs: config.RETRY_INITIAL_MS, maxMs: config.RETRY_MAX_MS };
  const stage = createStage<T>({ codec: codecFor<T>(def.schema, false, def.fields), validate: (e) => handler.validate(e), handle: (e) => handler.handle(e), prepare: handler.prepare && ((e) => handler.prepare!(e)), batch: handler.batch && (() => handler.batch!()), dlq, retry, log, observer: metrics.observer });
  // the offsets up to which the state holds the effects, beside the state (transport.ts: OffsetCheckpoints)
  const checkpoints = new RedisCheckpoints(store.control, config.KEY_PREFIX, groupId);
  const subscriber = new KafkaSubscriber(kafka, log, {
    chunkSize: config.CONSUMER_CHUNK_SIZE, partitionsConcurrently: config.CONSUMER_PARTITIONS_CONCURRENTLY, maxBytesPerPartition: config.CONSUMER_BATCH_MAX_BYTES, maxBytes: config.CONSUMER_FETCH_MAX_BYTES, maxPendingChunks: config.CONSUMER_PENDING_CHUNKS,
    ordered: !def.orderIndependent, sessionTimeoutMs: config.CONSUMER_SESSION_TIMEOUT_MS, checkpoints, onStateBehind: (t) => metrics.stateRewinds.inc({ topic: t }),
  });
  const sub = await subscriber.subscribe({ groupId, topics: [topic], fromBeginning: config.FROM_BEGINNING }, stage);
  const lag = startLagMonitor(kafka, groupId, [topic], metrics.lag, 5000, log);
  const server = await startHttpServer(config.METRICS_PORT, registry, {
    kafka: () => subscriber.ready && dlq.healthy,
    redis: () => store.ready,
    handler: () => handler.ready?.() ?? true,
  });
  log.info('started', { topic, groupId, metricsPort: server.port });
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      log.info('stopping');
      await sub.stop();
      await lag.stop();
      await dlq.disconnect();
      await handler.close?.();
      await store.close();
      await server.close();
      log.info('stopped');
    })());
  return { stop };
}
