/**
 * A real Prometheus scraping the running services during a replay of the fixture: every Grafana
 * panel query and every alert rule of deploy/ evaluates without error and returns data, and every
 * trendcast_* metric the services export is one docs/metrics.md lists.
 */
import * as fs from 'fs';
import * as path from 'path';
import { codecFor } from '../../shared/avro/codec';
import type { InventoryEvent } from '../../shared/domain/events';
import { createRegistry, METRICS } from '../../shared/observability/metrics';
import { createTopics, deleteTopicsWithPrefix, groupLag, produce } from './support/kafka';
import { deleteKeysWithPrefix } from './support/redis';
import { boolified, startPrometheus, type PromResult, type RunningPrometheus } from './support/prometheus';
import { RedisStateStore } from '../../shared/adapters/redis/state-store';
import { REDIS_URL, ROOT, runToEnd, startService, uniq, waitFor, type RunningService } from './support/services';
import { readYaml } from '../unit/deploy/compose-model';

const prefix = uniq('prom-');
const keyPrefix = uniq('prom');
const SERVICES = ['order-consumer', 'review-consumer', 'listing-consumer', 'forecaster', 'restock-trigger', 'ad-bidding-example'];
const env = {
  TOPIC_PREFIX: `${prefix}-`, KEY_PREFIX: keyPrefix,
  FORECAST_INTERVAL_MS: '3000', FORECAST_DEBOUNCE_MS: '200', FORECAST_POLL_MS: '200', CONSUMER_CHUNK_SIZE: '500',
};
/** Grafana's $__rate_interval, as it would resolve for a short range on 1 s scrapes. */
const RATE_INTERVAL = '1m';

let services: RunningService[] = [];
let prom: RunningPrometheus;

interface Panel { title: string; targets?: { expr: string }[] }
const dashboards = fs.readdirSync(path.join(ROOT, 'deploy/grafana/dashboards')).map((f) => ({
  file: f, json: JSON.parse(fs.readFileSync(path.join(ROOT, 'deploy/grafana/dashboards', f), 'utf8')) as { title: string; panels: Panel[] },
}));
const panelQueries = dashboards.flatMap((d) => d.json.panels.flatMap((p) => (p.targets ?? []).map((t) => [`${d.file}: ${p.title}`, t.expr.replace(/\$__rate_interval/g, RATE_INTERVAL)] as const)));
const rules = readYaml<{ groups: { rules: { alert: string; expr: string }[] }[] }>('deploy/prometheus/alerts.yml').groups.flatMap((g) => g.rules);

/** Stock of nothing for the first products, so the restock trigger has alerts to emit. */
function inventory(skus: string[]) {
  const codec = codecFor<InventoryEvent>('inventory');
  const now = Date.now();
  return skus.map((sku, i) => ({ key: sku, value: codec.encode({ eventId: `inv-${sku}`, eventTime: now - 1000 + i, sku, onHand: 0, onOrder: 0, leadTimeDays: 14 }) }));
}

function series(r: PromResult): { metric: Record<string, string>; value: number }[] {
  if (r.status !== 'success') throw new Error(`${r.errorType}: ${r.error}`);
  if (r.data.resultType === 'scalar') return [{ metric: {}, value: Number((r.data.result as [number, string])[1]) }];
  return (r.data.result as { metric: Record<string, string>; value: [number, string] }[]).map((s) => ({ metric: s.metric, value: Number(s.value[1]) }));
}

beforeAll(async () => {
  await createTopics(['orders', 'reviews', 'listings', 'trends', 'inventory', 'restock-alerts'].map((t) => `${prefix}-${t}`));
  const started = await Promise.allSettled(SERVICES.map((s) => startService(s, { ...env, CONSUMER_GROUP: `${prefix}-${s}` })));
  services = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  prom = await startPrometheus(Object.fromEntries(services.map((s) => [s.name, s.port])));
}, 180_000);

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await prom?.stop();
  await deleteKeysWithPrefix(keyPrefix);
  await deleteTopicsWithPrefix(prefix);
});

describe('Prometheus scraping the pipeline during a replay', () => {
  test('every service is scraped (up == 1) before the replay starts', async () => {
    const up = await waitFor('all targets up', async () => {
      const s = series(await prom.query('up'));
      return s.length === SERVICES.length && s.every((x) => x.value === 1) ? s : undefined;
    }, 30_000);
    expect(up.map((s) => s.metric.job).sort()).toEqual([...SERVICES].sort());
  });

  test('replay the fixture at ~2 weeks of event time per second, with stock counts and a few malformed orders', async () => {
    const orders = `${prefix}-orders`;
    await produce(orders, [{ key: 'x', value: Buffer.from('not avro') }, { key: 'y', value: Buffer.from('still not avro') }]);
    const r = await runToEnd('services/replayer/main.ts', ['--topic-prefix', `${prefix}-`, '--speed', String(86_400 * 14), '--batch', '200'], { LOG_LEVEL: 'warn' });
    expect(r.code).toBe(0);
    const replayed = r.stdout.match(/replayed (\d+) rows: (\d+) order and (\d+) listing events/);
    expect(replayed).not.toBeNull();
    expect(Number(replayed![2])).toBeGreaterThan(10_000);
    await waitFor('consumers caught up', async () => {
      const lags = await Promise.all([['order-consumer', 'orders'], ['listing-consumer', 'listings']].map(([s, t]) => groupLag(`${prefix}-${s}`, `${prefix}-${t}`)));
      return lags.every((l) => l === 0);
    }, 120_000);
    const products = await waitFor('trends with products', async () => {
      const s = series(await prom.query('sum(trendcast_forecasts_published_total)'));
      return s[0]?.value > 0 ? s[0].value : undefined;
    }, 60_000);
    expect(products).toBeGreaterThan(100);
  }, 240_000);

  test('restock alerts open for products with no stock', async () => {
    const store = new RedisStateStore(REDIS_URL, keyPrefix, { alpha: 0.3, beta: 0.1, bucketMs: 86_400_000, maxBuckets: 400, reviewDecay: 0.1 });
    await store.connect();
    const skus = (await store.listProducts()).sort().slice(0, 20);
    await store.close();
    expect(skus).toHaveLength(20);
    await produce(`${prefix}-inventory`, inventory(skus));
    const opened = await waitFor('restock alerts in Prometheus', async () => {
      const s = series(await prom.query('sum(trendcast_restock_alerts_total{state="OPEN"})'));
      return s[0]?.value > 0 ? s[0].value : undefined;
    }, 60_000);
    // only the 20 products given no stock may open an alert (one each at most); the wait above saw at least one
    expect(opened).toBeLessThanOrEqual(skus.length);
    // increase() and rate() need two samples of the new series
    await waitFor('a second scrape of the alert counter', async () => series(await prom.query('count_over_time(trendcast_restock_alerts_total[1m])'))[0]?.value >= 3, 30_000);
  });

  test('online accuracy is scored for every sampled horizon', async () => {
    const wape = await waitFor('online WAPE for horizons 1, 7, 14, 28', async () => {
      const s = series(await prom.query('trendcast_online_wape'));
      return s.length === 4 ? s : undefined;
    }, 60_000);
    expect(wape.map((s) => s.metric.horizon).sort((a, b) => Number(a) - Number(b))).toEqual(['1', '7', '14', '28']);
    for (const s of wape) expect(s.value).toBeGreaterThan(0);
    process.stderr.write(`online WAPE of the fixture replay: ${wape.map((s) => `h${s.metric.horizon}=${s.value.toFixed(3)}`).join(' ')}\n`);
    const points = series(await prom.query('sum by (horizon) (trendcast_online_scored_points_total)'));
    expect(points.map((p) => p.metric.horizon).sort((a, b) => Number(a) - Number(b))).toEqual(['1', '7', '14', '28']);
    for (const p of points) expect(p.value).toBeGreaterThan(0);
  });

  test.each(panelQueries)('panel %s: returns data', async (_title, expr) => {
    const s = series(await prom.query(expr));
    expect(s.length).toBeGreaterThan(0);
    expect(s.some((x) => Number.isFinite(x.value))).toBe(true);
  });

  test.each(rules.map((r) => [r.alert, r.expr] as const))('alert %s: evaluates, and its signal returns data', async (_name, expr) => {
    series(await prom.query(expr)); // throws on a query error
    const s = series(await prom.query(boolified(expr)));
    expect(s.length).toBeGreaterThan(0);
    expect(s.every((x) => x.value === 0 || x.value === 1)).toBe(true);
  });

  test('Prometheus itself evaluates every rule group without error', async () => {
    const r = await prom.get<{ data: { groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] } }>('/api/v1/rules');
    const evaluated = r.data.groups.flatMap((g) => g.rules);
    expect(evaluated.map((x) => x.name).sort()).toEqual(rules.map((x) => x.alert).sort());
    for (const x of evaluated) expect([x.name, x.health, x.lastError ?? '']).toEqual([x.name, 'ok', '']);
  });

  test('every trendcast_* metric the services export is documented', async () => {
    const names = (await prom.get<{ data: string[] }>('/api/v1/label/__name__/values')).data.filter((n) => n.startsWith('trendcast_'));
    // prom-client's default metrics, as a fresh registry exports them
    const defaults = (await createRegistry('probe').getMetricsAsJSON()).map((m) => m.name);
    const known = new Set<string>([...Object.values(METRICS).map((m) => m.name), ...defaults].flatMap((n) => [n, ...['_bucket', '_sum', '_count'].map((x) => n + x)]));
    expect(names.filter((n) => !known.has(n))).toEqual([]);
    expect(names.length).toBeGreaterThan(20);
  });
});
