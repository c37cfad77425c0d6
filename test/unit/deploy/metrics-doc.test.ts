import * as fs from 'fs';
import * as path from 'path';
import { METRICS } from '../../../shared/observability/metrics';

const ROOT = path.resolve(__dirname, '../../..');
/** The metric tables of docs/metrics.md: name -> "type; label, label". */
function documented(): Map<string, string> {
  const rows = fs.readFileSync(path.join(ROOT, 'docs/metrics.md'), 'utf8').split('\n').filter((l) => l.startsWith('| `trendcast_'));
  return new Map(rows.map((r) => {
    const cells = r.split('|').map((c) => c.trim());
    const labels = [...cells[3].matchAll(/`([a-z_]+)`/g)].map((x) => x[1]).join(', ');
    return [cells[1].replace(/`/g, ''), `${cells[2]}; ${labels}`];
  }));
}

describe('docs/metrics.md lists exactly the metrics of shared/observability/metrics.ts', () => {
  test('every defined metric is documented with its type and labels', () => {
    const docs = documented();
    for (const m of Object.values(METRICS)) {
      expect([m.name, docs.get(m.name)]).toEqual([m.name, `${m.type}; ${m.labels.join(', ')}`]);
    }
  });

  test('no documented metric is missing from the definitions', () => {
    const names = new Set<string>(Object.values(METRICS).map((m) => m.name));
    expect([...documented().keys()].filter((n) => !names.has(n))).toEqual([]);
  });

  test('names follow Prometheus conventions: counters end in _total, unit suffixes on durations', () => {
    for (const m of Object.values(METRICS)) {
      expect(m.name).toMatch(/^trendcast_[a-z0-9_]+$/);
      if (m.type === 'counter') expect(m.name).toMatch(/_total$/);
      else expect(m.name).not.toMatch(/_total$/);
      if (/seconds/.test(m.help) || /latency|time to/i.test(m.help)) expect(m.name).toMatch(/_seconds$/);
    }
  });
});
