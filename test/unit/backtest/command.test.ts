/**
 * The backtest command end to end on the bundled fixture (statistical models, hash embedder so no
 * model files are needed): table, JSON and a forecast export from which the table is recomputed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scoreSegment } from '../../../shared/backtest/metrics';
import { loadRetail } from '../../../shared/backtest/online-retail';
import { ORIGINS, buildWindow } from '../../../shared/backtest/windows';

const ROOT = join(__dirname, '../../..');
const FIXTURE = join(ROOT, 'test/fixtures/online-retail/sample.csv');

describe('backtest command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'backtest-'));
  const json = join(dir, 'out.json');
  const csv = join(dir, 'forecasts.csv');
  let stdout = '';

  beforeAll(() => {
    const members = 'seasonal_naive,ses,tsb,arima';
    stdout = execFileSync(
      process.execPath,
      [require.resolve('tsx/cli'), 'services/backtest/main.ts', '--data', FIXTURE, '--models', `${members},cold_start,ensemble`, '--ensemble-members', members, '--embedder', 'hash', '--json', json, '--forecasts', csv, '--no-progress'],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn' } },
    );
  }, 120_000);

  it('prints the table with baselines and models for both segments', () => {
    for (const name of ['weekday_quantiles (baseline)', 'price_decile_quantiles (baseline)', 'ensemble', 'cold_start', 'tsb']) expect(stdout).toContain(name);
    expect(stdout).toMatch(/Best baselines \(lowest WQL\): established \w+, new \w+/);
  });

  it('writes JSON whose rows are relative to the best baseline of their segment', () => {
    const r = JSON.parse(readFileSync(json, 'utf8'));
    const best = r.rows.find((x: { name: string; segment: string }) => x.name === r.bestBaseline.established && x.segment === 'established');
    expect(best.relative.wql).toBe(1);
    const ens = r.rows.find((x: { name: string; segment: string }) => x.name === 'ensemble' && x.segment === 'established');
    expect(ens.relative.wql).toBeCloseTo(ens.mean.wql / best.mean.wql, 12);
    expect(ens.windows).toHaveLength(4);
    expect(Object.keys(r.diagnostics.ensemble)).toEqual([...ORIGINS]);
  });

  it('exports forecasts from which an independent scorer recomputes the WQL', async () => {
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('origin,sku,date,p10,p50,p90');
    const data = await loadRetail(FIXTURE);
    const byKey = new Map(lines.slice(1).map((l) => {
      const [origin, sku, date, p10, p50, p90] = l.split(',');
      return [`${origin}|${sku}|${date}`, [+p10, +p50, +p90]];
    }));
    const r = JSON.parse(readFileSync(json, 'utf8'));
    const ens = r.rows.find((x: { name: string; segment: string }) => x.name === 'ensemble' && x.segment === 'established');
    let expectedRows = 0;
    ORIGINS.forEach((o, k) => {
      const w = buildWindow(data, o);
      expectedRows += (w.established.length + w.fresh.length) * 28;
      const scored = w.established.map((it) => {
        const f = { p10: [] as number[], p50: [] as number[], p90: [] as number[] };
        for (let h = 1; h <= 28; h++) {
          const date = new Date((w.origin + h) * 86_400_000).toISOString().slice(0, 10);
          const [a, b, c] = byKey.get(`${o}|${it.sku}|${date}`)!;
          f.p10.push(a);
          f.p50.push(b);
          f.p90.push(c);
        }
        return { actual: it.actual, forecast: f };
      });
      expect(scoreSegment(scored).wql).toBeCloseTo(ens.windows[k].wql, 4);
    });
    expect(lines.length - 1).toBe(expectedRows);
  });

  it('rejects an unknown model with a clear message', () => {
    expect(() =>
      execFileSync(process.execPath, [require.resolve('tsx/cli'), 'services/backtest/main.ts', '--data', FIXTURE, '--models', 'nope', '--embedder', 'none', '--no-progress'], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' }),
    ).toThrow(/unknown model "nope"/);
  }, 60_000);
});
