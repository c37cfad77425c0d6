import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { JobObserver } from './job';

export function forecasterMetrics(registry: Registry) {
  const published = new Counter({ name: 'trendcast_forecasts_published_total', help: 'Trend messages published', labelNames: ['model'], registers: [registry] });
  const latency = new Histogram({ name: 'trendcast_forecast_batch_seconds', help: 'Time to read, forecast and publish one batch of products', buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry] });
  const version = new Gauge({ name: 'trendcast_model_info', help: 'Model the worker runs (value 1), by model and version', labelNames: ['model', 'version'], registers: [registry] });
  const lastPublish = new Gauge({ name: 'trendcast_last_forecast_timestamp_seconds', help: 'Wall time of the last published forecast batch', registers: [registry] });
  return {
    published, latency, version, lastPublish,
    observer: (versionOf: () => string): JobObserver => ({
      published: (n, seconds, model) => {
        published.inc({ model }, n);
        latency.observe(seconds);
        version.reset();
        version.set({ model, version: versionOf() }, 1);
        lastPublish.set(Date.now() / 1000);
      },
    }),
  };
}
