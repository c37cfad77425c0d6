import { codecFor } from '../../shared/avro/codec';
import type { Trend } from '../../shared/domain/events';
import { parseConfig } from '../../shared/config/spec';
import { createKafka, ensureTopics } from '../../shared/adapters/kafka/client';
import { KafkaPublisher } from '../../shared/adapters/kafka/publisher';
import { ThreadedPublisher } from '../../shared/adapters/kafka/threaded-publisher';
import { RedisStateStore } from '../../shared/adapters/redis/state-store';
import { topicNames } from '../../shared/adapters/transport';
import { createLogger, type LogLevel } from '../../shared/log';
import { createRegistry, redisMetrics } from '../../shared/observability/metrics';
import { accuracyMetrics, forecasterMetrics, lstmThreadMetric, publisherThreadMetric } from './metrics';
import { accuracyHorizons, accuracySpec, AccuracyTracker } from './accuracy';
import { tfjsSpec } from '../../shared/ml/backend';
import { startHttpServer } from '../../shared/observability/http';
import { forecasterSpec } from './config';
import { ForecastJob } from './job';
import { resolveModel } from './registry';
import { Scheduler } from './scheduler';

/**
 * Every variable the forecaster process reads (docs/config.md and the compose check use this).
 * TFJS_BACKEND is read by the tfjs models when they first run (shared/ml/backend.ts); it is parsed
 * here too so a bad value stops the worker at start-up.
 */
export const forecasterServiceSpec = { ...forecasterSpec, ...accuracySpec, ...tfjsSpec };

/** Wiring of the forecaster worker: Redis state in, Trend messages out, on schedule and on change. */
export async function startForecaster(env = process.env): Promise<{ stop(): Promise<void> }> {
  const c = parseConfig(forecasterServiceSpec, env);
  const log = createLogger('forecaster', c.LOG_LEVEL as LogLevel);
  const registry = createRegistry('forecaster');
  const metrics = forecasterMetrics(registry);
  const tracker = new AccuracyTracker({ horizons: accuracyHorizons(c.ACCURACY_HORIZONS, c.FORECAST_HORIZON), windowBuckets: c.ACCURACY_WINDOW_BUCKETS, maxProducts: c.ACCURACY_MAX_PRODUCTS, graceBuckets: c.ACCURACY_GRACE_BUCKETS });
  const active = await resolveModel(c.FORECAST_MODEL, log, {
    artifactsDir: c.ARTIFACTS_DIR, pollMs: c.ARTIFACT_POLL_MS, ensembleMembers: c.ENSEMBLE_MEMBERS, tfjsBackend: c.TFJS_BACKEND, lstmThread: c.LSTM_THREAD,
  });
  lstmThreadMetric(registry, () => active.lstmThread());
  const store = new RedisStateStore(c.REDIS_URL, c.KEY_PREFIX, {
    alpha: c.SMOOTHING_ALPHA, beta: c.SMOOTHING_BETA, bucketMs: c.BUCKET_MS, maxBuckets: c.SERIES_MAX_BUCKETS, reviewDecay: c.REVIEW_EMBEDDING_DECAY,
  }, redisMetrics(registry), log, c.REDIS_TIMEOUT_MS, { control: false });
  await store.connect();
  const kafkaSettings = { brokers: c.KAFKA_BROKERS, clientId: `${c.KAFKA_CLIENT_ID}-forecaster` };
  const kafka = createKafka(kafkaSettings, log);
  const topic = topicNames(c.TOPIC_PREFIX).trends;
  await ensureTopics(kafka, [topic], c.TOPIC_PARTITIONS);
  const publisher = c.PUBLISH_THREAD ? new ThreadedPublisher(kafkaSettings, log, { service: 'forecaster', logLevel: c.LOG_LEVEL }) : new KafkaPublisher(kafka);
  await publisher.connect();
  publisherThreadMetric(registry, () => (publisher instanceof ThreadedPublisher ? publisher.threadAlive : undefined));
  log.info(c.PUBLISH_THREAD ? 'publisher thread ready' : 'publishing from the main thread', { topic });
  const job = new ForecastJob({
    store, publisher, topic, codec: codecFor<Trend>('trend'), model: active,
    settings: { alpha: c.SMOOTHING_ALPHA, beta: c.SMOOTHING_BETA, bucketMs: c.BUCKET_MS, horizon: c.FORECAST_HORIZON, flatBand: c.TREND_FLAT_BAND },
    observer: metrics.observer(() => active.current().version, log),
    accuracy: accuracyMetrics(registry, tracker),
  });
  const scheduler = new Scheduler(store, job, { intervalMs: c.FORECAST_INTERVAL_MS, pollMs: c.FORECAST_POLL_MS, debounceMs: c.FORECAST_DEBOUNCE_MS, batchSize: c.FORECAST_BATCH_SIZE }, log);
  scheduler.start();
  const server = await startHttpServer(c.METRICS_PORT, registry, {
    kafka: () => publisher.healthy,
    redis: () => store.ready,
    model: () => active.current() !== undefined,
  });
  log.info('started', { topic, model: active.current().model.name, version: active.current().version, metricsPort: server.port });
  return {
    stop: async () => {
      await scheduler.stop();
      await active.stop();
      await publisher.disconnect();
      await store.close();
      await server.close();
    },
  };
}
