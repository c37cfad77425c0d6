import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { StageObserver } from './observer';

export interface MetricDef {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  help: string;
  labels: readonly string[];
  /** Services that export it (docs/metrics.md groups by this). */
  services: readonly string[];
}

const CONSUMERS = ['order-consumer', 'review-consumer', 'listing-consumer'] as const;
const ALL = [...CONSUMERS, 'forecaster', 'restock-trigger', 'ad-bidding-example'] as const;

/**
 * Every metric name of the pipeline, in one place; docs/metrics.md documents each (a unit test
 * keeps the two in step) and deploy/ (alerts, dashboards) queries only these. Every series also
 * carries the label `service` (the registry's default label).
 */
export const METRICS = {
  eventsConsumed: { name: 'trendcast_events_consumed_total', type: 'counter', help: 'Events consumed, by topic and outcome (ok, dlq, duplicate, late)', labels: ['topic', 'outcome'], services: ALL },
  dlq: { name: 'trendcast_dlq_messages_total', type: 'counter', help: 'Messages sent to a dead-letter topic', labels: ['topic'], services: ALL },
  stateRewinds: { name: 'trendcast_state_rewinds_total', type: 'counter', help: 'Partitions consumed again from the state store\'s checkpoint because the store was behind the committed offsets (it lost acknowledged writes)', labels: ['topic'], services: [...CONSUMERS, 'restock-trigger'] },
  batchSeconds: { name: 'trendcast_batch_processing_seconds', type: 'histogram', help: 'Time to decode, validate and store one batch', labels: ['topic'], services: ALL },
  ready: { name: 'trendcast_ready', type: 'gauge', help: 'Readiness per check (kafka, redis, model...): 1 ready, 0 not, evaluated at scrape time as /readyz does', labels: ['check'], services: ALL },
  consumerLag: { name: 'trendcast_consumer_lag', type: 'gauge', help: 'Messages behind the partition end, per topic and partition', labels: ['topic', 'partition', 'group'], services: ALL },
  redisSeconds: { name: 'trendcast_redis_seconds', type: 'histogram', help: 'Latency of Redis calls, by operation', labels: ['op'], services: [...CONSUMERS, 'forecaster', 'restock-trigger'] },
  embeddingBatchSize: { name: 'trendcast_embedding_batch_size', type: 'histogram', help: 'Texts per embedding model call', labels: [], services: ['review-consumer', 'listing-consumer'] },
  embeddingSeconds: { name: 'trendcast_embedding_seconds', type: 'histogram', help: 'Latency of one embedding model call', labels: [], services: ['review-consumer', 'listing-consumer'] },
  embeddingRestarts: { name: 'trendcast_embedding_model_restarts_total', type: 'counter', help: 'Embedding model processes started again after one died', labels: [], services: ['review-consumer', 'listing-consumer'] },
  forecastsPublished: { name: 'trendcast_forecasts_published_total', type: 'counter', help: 'Trend messages published, by model and trend direction (RISING, FLAT, FALLING)', labels: ['model', 'direction'], services: ['forecaster'] },
  forecastBatchSeconds: { name: 'trendcast_forecast_batch_seconds', type: 'histogram', help: 'Time to read, forecast and publish one batch of products', labels: [], services: ['forecaster'] },
  modelInfo: { name: 'trendcast_model_info', type: 'gauge', help: 'Model the worker runs (value 1), by model and version', labels: ['model', 'version'], services: ['forecaster'] },
  lstmThreadUp: { name: 'trendcast_lstm_thread_up', type: 'gauge', help: 'LSTM forecasting on its worker thread (1) or, since the thread died or could not load the version, in process (0); absent without an LSTM artifact, with LSTM_THREAD=false or a native backend', labels: ['version'], services: ['forecaster'] },
  publisherThreadUp: { name: 'trendcast_publisher_thread_up', type: 'gauge', help: 'Trends published from the Kafka producer on its worker thread (1) or, since the thread died, from the main thread (0); absent with PUBLISH_THREAD=false', labels: [], services: ['forecaster'] },
  lastForecast: { name: 'trendcast_last_forecast_timestamp_seconds', type: 'gauge', help: 'Wall time of the last published forecast batch', labels: [], services: ['forecaster'] },
  forecastWatermark: { name: 'trendcast_forecast_watermark_seconds', type: 'gauge', help: 'Event time (watermark) the last published forecasts are based on', labels: [], services: ['forecaster'] },
  forecastUnreadable: { name: 'trendcast_forecast_unreadable_total', type: 'counter', help: 'Products left out of a pass because their state cannot be read (a key of the wrong type); the log names them', labels: [], services: ['forecaster'] },
  onlineWape: { name: 'trendcast_online_wape', type: 'gauge', help: 'Rolling WAPE (sum |y - p50| / sum y) of published forecasts against realized demand, by horizon step, over the last ACCURACY_WINDOW_BUCKETS buckets; absent while that window has no demand', labels: ['horizon'], services: ['forecaster'] },
  onlineWapePoints: { name: 'trendcast_online_wape_points', type: 'gauge', help: '(product, bucket) points inside the rolling WAPE window, by horizon step', labels: ['horizon'], services: ['forecaster'] },
  onlineAbsError: { name: 'trendcast_online_abs_error_total', type: 'counter', help: 'Sum of |y - p50| over scored forecasts, by horizon step', labels: ['horizon'], services: ['forecaster'] },
  onlineActual: { name: 'trendcast_online_actual_demand_total', type: 'counter', help: 'Sum of realized demand y over scored forecasts, by horizon step', labels: ['horizon'], services: ['forecaster'] },
  onlinePoints: { name: 'trendcast_online_scored_points_total', type: 'counter', help: '(product, bucket) forecasts scored against realized demand, by horizon step', labels: ['horizon'], services: ['forecaster'] },
  onlinePending: { name: 'trendcast_online_pending_forecasts', type: 'gauge', help: 'Forecast points remembered until their bucket completes', labels: [], services: ['forecaster'] },
  restockAlerts: { name: 'trendcast_restock_alerts_total', type: 'counter', help: 'Restock alerts emitted (defined by services/restock-trigger)', labels: ['state'], services: ['restock-trigger'] },
} as const satisfies Record<string, MetricDef>;

/**
 * Prefix of the metrics prom-client collects by default: its own names already start with
 * `process_` or `nodejs_`, so these become trendcast_process_cpu_seconds_total,
 * trendcast_nodejs_eventloop_lag_p99_seconds, ...
 */
export const DEFAULT_METRICS_PREFIX = 'trendcast_';

/** One registry per process; every series carries `service`. */
export function createRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: DEFAULT_METRICS_PREFIX });
  return registry;
}

type Def = MetricDef;
const cfg = (d: Def, registry: Registry) => ({ name: d.name, help: d.help, labelNames: [...d.labels], registers: [registry] });
export const counter = (d: Def, registry: Registry) => new Counter(cfg(d, registry));
export const gauge = (d: Def, registry: Registry, collect?: (this: Gauge) => void | Promise<void>) => new Gauge({ ...cfg(d, registry), ...(collect ? { collect } : {}) });
export const histogram = (d: Def, registry: Registry, buckets: number[]) => new Histogram({ ...cfg(d, registry), buckets });

export function consumerMetrics(registry: Registry) {
  const events = counter(METRICS.eventsConsumed, registry);
  const dlq = counter(METRICS.dlq, registry);
  const latency = histogram(METRICS.batchSeconds, registry, [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
  const lag = gauge(METRICS.consumerLag, registry);
  const stateRewinds = counter(METRICS.stateRewinds, registry);
  const observer: StageObserver = {
    consumed: (topic, outcome, n) => {
      events.inc({ topic, outcome }, n);
      if (outcome === 'dlq') dlq.inc({ topic }, n);
    },
    batchSeconds: (topic, s) => latency.observe({ topic }, s),
  };
  return { events, dlq, latency, lag, stateRewinds, observer };
}

export function redisMetrics(registry: Registry) {
  return histogram(METRICS.redisSeconds, registry, [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1]);
}

export function embeddingMetrics(registry: Registry) {
  return {
    batchSize: histogram(METRICS.embeddingBatchSize, registry, [1, 2, 4, 8, 16, 32, 64, 128, 256]),
    latency: histogram(METRICS.embeddingSeconds, registry, [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]),
    restarts: counter(METRICS.embeddingRestarts, registry),
  };
}
