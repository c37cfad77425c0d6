/** Static checks of deploy/: queries name only metrics the code defines; dashboards use the provisioned datasource. */
import * as fs from 'fs';
import * as path from 'path';
import { createRegistry, METRICS } from '../../../shared/observability/metrics';
import { readYaml, ROOT } from './compose-model';

interface Panel { id: number; title: string; type: string; datasource?: { uid: string }; targets?: { expr: string; datasource?: { uid: string } }[]; gridPos: { x: number; w: number } }
const dir = path.join(ROOT, 'deploy/grafana/dashboards');
const dashboards = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => ({ file: f, d: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { uid: string; title: string; panels: Panel[] } }));
const alerts = readYaml<{ groups: { rules: { alert: string; expr: string }[] }[] }>('deploy/prometheus/alerts.yml').groups.flatMap((g) => g.rules);

async function knownNames(): Promise<Set<string>> {
  const defaults = (await createRegistry('probe').getMetricsAsJSON()).map((m) => m.name);
  return new Set([...Object.values(METRICS).map((m) => m.name as string), ...defaults].flatMap((n) => [n, `${n}_bucket`, `${n}_sum`, `${n}_count`]));
}
const namesIn = (expr: string) => [...expr.matchAll(/\btrendcast_[a-z0-9_]+/g)].map((m) => m[0]);

describe('Grafana dashboards and alert rules', () => {
  test('the four dashboards exist with distinct uids', () => {
    expect(dashboards.map((x) => x.d.uid).sort()).toEqual(['trendcast-accuracy', 'trendcast-pipeline', 'trendcast-restock', 'trendcast-trends']);
  });

  test('every query names only metrics defined in shared/observability/metrics.ts (or prom-client defaults)', async () => {
    const known = await knownNames();
    const exprs = [...dashboards.flatMap(({ file, d }) => d.panels.flatMap((p) => (p.targets ?? []).map((t) => [`${file}: ${p.title}`, t.expr]))), ...alerts.map((a) => [a.alert, a.expr])];
    expect(exprs.length).toBeGreaterThan(30);
    for (const [where, expr] of exprs) {
      expect([where, namesIn(expr).length > 0 || /\bup\b/.test(expr)]).toEqual([where, true]);
      expect([where, namesIn(expr).filter((n) => !known.has(n))]).toEqual([where, []]);
    }
  });

  test('panels query the provisioned Prometheus datasource, have unique ids and fit the 24-column grid', () => {
    const ds = readYaml<{ datasources: { uid: string }[] }>('deploy/grafana/provisioning/datasources/prometheus.yml').datasources[0].uid;
    for (const { file, d } of dashboards) {
      expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
      for (const p of d.panels) {
        expect([file, p.title, p.datasource?.uid]).toEqual([file, p.title, ds]);
        for (const t of p.targets ?? []) expect(t.datasource?.uid).toBe(ds);
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
        expect((p.targets ?? []).length).toBeGreaterThan(0);
      }
    }
  });

  test('the issue\'s alerts are all there: consumer lag, DLQ rate, stale trends, accuracy drop', () => {
    const byName = Object.fromEntries(alerts.map((a) => [a.alert, a.expr]));
    expect(byName.TrendcastConsumerLagHigh).toContain('trendcast_consumer_lag');
    expect(byName.TrendcastDlqRateHigh).toContain('trendcast_dlq_messages_total');
    expect(byName.TrendcastTrendsStale).toContain('trendcast_last_forecast_timestamp_seconds');
    expect(byName.TrendcastAccuracyDrop).toContain('trendcast_online_wape');
  });
});
