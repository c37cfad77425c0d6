import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { StageObserver } from '../adapters/stage';

/**
 * The pipeline's metric names, in one place (docs/metrics.md lists them). One registry per process,
 * passed in; each service adds only the groups it uses.
 */
export function createRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'trendcast_process_' });
  return registry;
}

export function consumerMetrics(registry: Registry) {
  const events = new Counter({ name: 'trendcast_events_consumed_total', help: 'Events consumed, by topic and outcome (ok, dlq, duplicate, late)', labelNames: ['topic', 'outcome'], registers: [registry] });
  const dlq = new Counter({ name: 'trendcast_dlq_messages_total', help: 'Messages sent to a dead-letter topic', labelNames: ['topic'], registers: [registry] });
  const latency = new Histogram({ name: 'trendcast_batch_processing_seconds', help: 'Time to decode, validate and store one batch', labelNames: ['topic'], buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] });
  const lag = new Gauge({ name: 'trendcast_consumer_lag', help: 'Messages behind the partition end, per topic and partition', labelNames: ['topic', 'partition', 'group'], registers: [registry] });
  const observer: StageObserver = {
    consumed: (topic, outcome, n) => {
      events.inc({ topic, outcome }, n);
      if (outcome === 'dlq') dlq.inc({ topic }, n);
    },
    batchSeconds: (topic, s) => latency.observe({ topic }, s),
  };
  return { events, dlq, latency, lag, observer };
}

export function redisMetrics(registry: Registry) {
  return new Histogram({ name: 'trendcast_redis_seconds', help: 'Latency of Redis calls, by operation', labelNames: ['op'], buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1], registers: [registry] });
}

export function embeddingMetrics(registry: Registry) {
  return {
    batchSize: new Histogram({ name: 'trendcast_embedding_batch_size', help: 'Texts per embedding model call', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256], registers: [registry] }),
    latency: new Histogram({ name: 'trendcast_embedding_seconds', help: 'Latency of one embedding model call', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry] }),
  };
}
