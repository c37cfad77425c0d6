/** The HTML report: SVG primitives, the collector's shares and WQL, the page, and the protocol hook on the fixture. */
import { join } from 'node:path';
import { parseArgs } from '../../../services/backtest/args';
import { wql } from '../../../shared/backtest/metrics';
import { loadRetail } from '../../../shared/backtest/online-retail';
import { runBacktest } from '../../../shared/backtest/protocol';
import { bandChart, lineChart } from '../../../shared/report/charts';
import { ReportCollector, calibrationOf, emptySums, tally, wqlPerHorizon } from '../../../shared/report/collect';
import { renderReport } from '../../../shared/report/html';
import { bandD, esc, linearScale, niceTicks, pathD } from '../../../shared/report/svg';

const FIXTURE = join(__dirname, '../../fixtures/online-retail/sample.csv');

describe('svg primitives', () => {
  it('maps a known series to path data and breaks the line at missing values', () => {
    const x = linearScale(0, 2, 0, 100);
    const y = linearScale(0, 10, 200, 0);
    expect(pathD([0, 5, 10].map((v, i) => [x(i), y(v)]))).toBe('M0 200 L50 100 L100 0');
    expect(pathD([[0, 1], [1, NaN], [2, 3], [3, 4]])).toBe('M0 1 M2 3 L3 4');
    expect(bandD([0, 10], [1, 2], [5, 6])).toBe('M0 1 L10 2 L10 6 L0 5 Z');
  });

  it('picks round ticks and escapes markup', () => {
    expect(niceTicks(0, 9.3, 5)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.5, 1]);
    expect(esc(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
  });

  it('draws a band chart with one point per actual and a legend per line', () => {
    const svg = bandChart({ title: 'A<B', history: [1, 2, 3], actual: [4, 0], forecast: { p10: [1, 0], p50: [3, 1], p90: [6, 2] } });
    expect(svg.match(/<circle/g)).toHaveLength(2);
    expect(svg).toContain('A&lt;B');
    expect(svg).toMatch(/class="band"/);
    const lc = lineChart('t', 'x', [{ name: 'm1', points: [[1, 1], [2, 2]] }, { name: 'm2', points: [[1, 2], [2, 1]] }]);
    expect(lc.match(/stroke-width="1.6"/g)).toHaveLength(2);
    expect(lc).toContain('>m2</text>');
  });
});

describe('collector', () => {
  const forecast = { p10: [1, 1, 1], p50: [2, 5, 12], p90: [4, 8, 20] };

  it('computes the calibration shares of a hand example', () => {
    const s = emptySums();
    tally(s, [[0, 5, 10]], [forecast]);
    const c = calibrationOf(s);
    expect(c.points).toBe(3);
    expect(c.belowP10).toBeCloseTo(1 / 3); // only 0 <= 1
    expect(c.belowP50).toBe(1); // 5 <= 5 counts
    expect(c.belowP90).toBe(1);
    expect(c.coverage).toBeCloseTo(2 / 3); // 0 is below [1, 4]
  });

  it('gives per-horizon WQL equal to metrics.wql of that day alone', () => {
    const actuals = [[0, 5, 10], [3, 0, 1]];
    const fs = [forecast, { p10: [0, 0, 0], p50: [2, 1, 1], p90: [5, 3, 2] }];
    const s = emptySums();
    tally(s, actuals, fs);
    const per = wqlPerHorizon(s);
    for (let h = 0; h < 3; h++) {
      const day = (f: typeof forecast) => ({ p10: [f.p10[h]], p50: [f.p50[h]], p90: [f.p90[h]] });
      expect(per[h]).toBeCloseTo(wql(actuals.map((a) => [a[h]]), fs.map(day)), 12);
    }
  });

  it('samples the largest-volume products of the latest origin and rejects a count mismatch', () => {
    const c = new ReportCollector('m', 2, 2);
    const item = (sku: string, history: number[]) => ({ sku, history, actual: [1, 2, 3], text: sku });
    const f = [forecast, forecast, forecast];
    c.onForecast({ model: 'm', segment: 'established', window: { originIso: '2011-09-11', established: [item('B', [9, 9, 9]), item('A', [1, 1, 1]), item('C', [0, 1])], fresh: [] }, forecasts: f });
    c.onForecast({ model: 'm', segment: 'established', window: { originIso: '2011-08-14', established: [item('X', [99]), item('Y', [98]), item('Z', [97])], fresh: [] }, forecasts: f });
    expect(c.result().samples.map((s) => [s.sku, s.origin])).toEqual([['B', '2011-09-11'], ['A', '2011-09-11']]);
    expect(c.result().samples[0].history).toEqual([9, 9]);
    expect(() => c.onForecast({ model: 'm', segment: 'new', window: { originIso: 'x', established: [], fresh: [] }, forecasts: f })).toThrow(/3 forecasts for 0 products/);
  });
});

describe('report on the fixture', () => {
  it('collects every model through the protocol hook and renders one chart set per section', async () => {
    const data = await loadRetail(FIXTURE);
    const collector = new ReportCollector('ensemble');
    const models = ['seasonal_naive', 'tsb', 'ensemble'];
    const result = await runBacktest(data, { models, ensembleMembers: ['ses', 'tsb'], onForecast: collector.onForecast });
    const d = collector.result();
    expect(Object.keys(d.calibration.established).sort()).toEqual([...models].sort());
    // Pooled coverage = the points-weighted mean of the protocol's per-window coverage.
    for (const m of models) {
      const row = result.rows.find((r) => r.name === m && r.kind === 'model' && r.segment === 'established')!;
      const pts = row.windows.reduce((a, w) => a + w.points, 0);
      expect(d.calibration.established[m].points).toBe(pts);
      expect(d.calibration.established[m].coverage).toBeCloseTo(row.windows.reduce((a, w) => a + w.coverage * w.points, 0) / pts, 12);
      expect(d.wqlByHorizon.established[m]).toHaveLength(28);
    }
    expect(d.samples).toHaveLength(6);
    expect(new Set(d.samples.map((s) => s.origin))).toEqual(new Set(['2011-11-06']));
    const html = renderReport(result, d, { data: 'a<b>.csv', embedder: 'none', models, seconds: 1 });
    const section = (id: string) => html.slice(html.indexOf(`<section id="${id}">`), html.indexOf('</section>', html.indexOf(`<section id="${id}">`)));
    expect(section('samples').match(/<svg /g)).toHaveLength(6);
    expect(section('horizon').match(/<svg /g)!.length).toBeGreaterThanOrEqual(1);
    expect(section('calibration').match(/<svg /g)!.length).toBeGreaterThanOrEqual(1);
    expect(section('summary').match(/<tr>/g)).toHaveLength(result.rows.length + 1);
    expect(html).toContain('a&lt;b&gt;.csv');
    expect(html).not.toContain('a<b>');
    expect(html).not.toMatch(/NaN|undefined|https?:\/\/(?!www\.w3\.org)/);
  }, 60_000);

  it('parses --report', () => {
    expect(parseArgs(['--data', FIXTURE, '--report', 'r.html']).report).toMatch(/r\.html$/);
  });
});
