/** The shipped Prometheus files pass promtool: syntax, and each alert firing on synthetic series. */
import { boolified, promtool } from './support/prometheus';

describe('deploy/prometheus with promtool', () => {
  test('promtool check rules deploy/prometheus/alerts.yml', async () => {
    const r = await promtool(['check', 'rules', 'deploy/prometheus/alerts.yml']);
    expect(r.out).toMatch(/SUCCESS: 9 rules found/);
    expect(r.code).toBe(0);
  });

  test('promtool check config deploy/prometheus/prometheus.yml (and the rule file it names)', async () => {
    const r = await promtool(['check', 'config', 'deploy/prometheus/prometheus.yml']);
    expect(r.out).toMatch(/SUCCESS/);
    expect(r.code).toBe(0);
  });

  test('promtool test rules: every alert fires on series that should trip it and not before', async () => {
    const r = await promtool(['test', 'rules', 'deploy/prometheus/alerts.test.yml']);
    expect(r.out).toMatch(/SUCCESS/);
    expect(r.code).toBe(0);
  });

  test('a broken rule file is rejected (the check can fail)', async () => {
    const fs = await import('fs');
    const os = await import('os');
    const path = await import('path');
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tc-rules-')), 'bad.yml');
    fs.writeFileSync(f, 'groups:\n  - name: x\n    rules:\n      - alert: Bad\n        expr: sum by (service (trendcast_consumer_lag) > 1\n');
    const r = await promtool(['check', 'rules', f]);
    expect(r.code).not.toBe(0);
    fs.rmSync(path.dirname(f), { recursive: true });
  });

  test('boolified() keeps label matchers and turns filters into 0/1 comparisons', () => {
    expect(boolified('up{job!="prometheus"} == 0')).toBe('up{job!="prometheus"} == bool 0');
    expect(boolified('a > 1.5\nand on (x) b >= 200')).toBe('a > bool 1.5\nand on (x) b >= bool 200');
    expect(boolified('a > bool 1')).toBe('a > bool 1');
  });
});
