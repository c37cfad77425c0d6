import type { Registry } from 'prom-client';
import type { Logger } from '../../shared/log';
import type { ProductSnapshot } from '../../shared/domain/state';
import { counter, gauge, histogram, METRICS } from '../../shared/observability/metrics';
import type { AccuracyTracker } from './accuracy';
import type { AccuracyHook, JobObserver } from './job';

export function forecasterMetrics(registry: Registry) {
  const published = counter(METRICS.forecastsPublished, registry);
  const latency = histogram(METRICS.forecastBatchSeconds, registry, [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]);
  const version = gauge(METRICS.modelInfo, registry);
  const lastPublish = gauge(METRICS.lastForecast, registry);
  const watermark = gauge(METRICS.forecastWatermark, registry);
  const unreadable = counter(METRICS.forecastUnreadable, registry);
  return {
    published, latency, version, lastPublish,
    observer: (versionOf: () => string, log?: Logger): JobObserver => ({
      unreadable: (sku, err) => {
        unreadable.inc();
        log?.error('product left out of the pass: its state cannot be read', { sku, err: err as Error });
      },
      published: (trends, seconds) => {
        for (const t of trends) published.inc({ model: t.model, direction: t.direction });
        latency.observe(seconds);
        if (trends.length === 0) return;
        version.reset();
        version.set({ model: trends[0].model, version: versionOf() }, 1);
        lastPublish.set(Date.now() / 1000);
        watermark.set(trends[0].basedOnEventTime / 1000);
      },
    }),
  };
}

/** trendcast_lstm_thread_up, read at scrape time; no series while `state()` is undefined. */
export function lstmThreadMetric(registry: Registry, state: () => { version: string; up: boolean } | undefined): void {
  gauge(METRICS.lstmThreadUp, registry, function collect() {
    this.reset();
    const s = state();
    if (s) this.set({ version: s.version }, s.up ? 1 : 0);
  });
}

/** trendcast_publisher_thread_up: whether the trends' producer still runs on its thread (absent without one). */
export function publisherThreadMetric(registry: Registry, up: () => boolean | undefined): void {
  gauge(METRICS.publisherThreadUp, registry, function collect() {
    this.reset();
    const u = up();
    if (u !== undefined) this.set(u ? 1 : 0);
  });
}

/**
 * Exposes an AccuracyTracker: counters grow as forecasts are scored; the WAPE gauges are read from
 * the tracker at scrape time, so they always show the current window (a horizon whose window holds
 * no demand has no WAPE series rather than a made-up value).
 */
export function accuracyMetrics(registry: Registry, tracker: AccuracyTracker): AccuracyHook {
  const absError = counter(METRICS.onlineAbsError, registry);
  const actual = counter(METRICS.onlineActual, registry);
  const points = counter(METRICS.onlinePoints, registry);
  // zero series from the start, so rate() over them works before the first bucket completes
  for (const { horizon } of tracker.summary()) for (const c of [absError, actual, points]) c.inc({ horizon: String(horizon) }, 0);
  gauge(METRICS.onlineWape, registry, function collect() {
    this.reset();
    for (const s of tracker.summary()) if (s.wape !== null) this.set({ horizon: String(s.horizon) }, s.wape);
  });
  gauge(METRICS.onlineWapePoints, registry, function collect() {
    for (const s of tracker.summary()) this.set({ horizon: String(s.horizon) }, s.points);
  });
  gauge(METRICS.onlinePending, registry, function collect() {
    this.set(tracker.pendingCount());
  });
  return {
    resolve: (snaps: ProductSnapshot[], completeThrough: number) => {
      for (const snap of snaps) {
        for (const s of tracker.resolve(snap, completeThrough)) {
          const horizon = String(s.horizon);
          absError.inc({ horizon }, s.absError);
          actual.inc({ horizon }, s.actual);
          points.inc({ horizon }, s.points);
        }
      }
    },
    record: (sku, firstBucket, p50) => tracker.record(sku, firstBucket, p50),
  };
}
