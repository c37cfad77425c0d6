/** The self-contained HTML report: sample forecasts, error by horizon, calibration, summary table. */
import type { BacktestResult, Row } from '../backtest/protocol';
import { Series, bandChart, lineChart } from './charts';
import type { Calibration, ReportData } from './collect';
import { esc } from './svg';

export interface ReportMeta {
  data: string;
  embedder: string;
  models: string[];
  seconds: number;
}

const f3 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(3));

const CSS = `body{font:14px system-ui,sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
td:first-child,th:first-child,td:nth-child(2){text-align:left}.grid-charts{display:flex;flex-wrap:wrap;gap:8px}
svg text{font-size:10px;fill:#333}svg .title{font-size:11px;font-weight:600}.grid{stroke:#eee}.axis{stroke:#888;fill:none}
.band{fill:#1f77b4;fill-opacity:.22;stroke:none}.p50{fill:none;stroke:#1f77b4;stroke-width:1.8}
.history{fill:none;stroke:#999;stroke-width:1}.actual{fill:#d62728}.origin{stroke:#555;stroke-dasharray:3 3}`;

function samplesSection(d: ReportData): string {
  if (!d.samples.length) return `<p>No established products at the last origin for ${esc(d.sampleModel)}.</p>`;
  const charts = d.samples.map((s) => bandChart({ title: `${s.sku} ${s.text}`.slice(0, 60), history: s.history, actual: s.actual, forecast: s.forecast }));
  return `<p>Model <b>${esc(d.sampleModel)}</b> at origin ${esc(d.samples[0].origin)}: the ${d.samples.length} established products with the largest
 demand up to the origin. Grey: history; shaded: p10-p90; blue line: p50; red points: actual demand.</p><div class="grid-charts">${charts.join('')}</div>`;
}

function horizonSection(d: ReportData): string {
  const segs = Object.keys(d.wqlByHorizon).sort();
  if (!segs.length) return '<p>No model forecasts.</p>';
  return segs
    .map((seg) => {
      const series: Series[] = Object.entries(d.wqlByHorizon[seg]).map(([name, w]) => ({ name, points: w.map((v, h) => [h + 1, v]) }));
      return lineChart(`WQL per horizon day, ${seg} products (pooled over origins)`, 'horizon (days after origin)', series);
    })
    .join('');
}

function calibrationTable(seg: string, c: Record<string, Calibration>): string {
  const rows = Object.entries(c).map(
    ([m, v]) => `<tr><td>${esc(seg)}</td><td>${esc(m)}</td><td>${f3(v.belowP10)}</td><td>${f3(v.belowP50)}</td><td>${f3(v.belowP90)}</td><td>${f3(v.coverage)}</td><td>${v.points}</td></tr>`,
  );
  return rows.join('');
}

function calibrationSection(d: ReportData): string {
  const segs = Object.keys(d.calibration).sort();
  if (!segs.length) return '<p>No model forecasts.</p>';
  const charts = segs.map((seg) => {
    const series: Series[] = Object.entries(d.calibration[seg]).map(([name, c]) => ({ name, points: [[0.1, c.belowP10], [0.5, c.belowP50], [0.9, c.belowP90]] }));
    series.push({ name: 'ideal', points: [[0, 0], [1, 1]], dashed: true, color: '#888' });
    return lineChart(`Observed share of y <= quantile, ${seg} products`, 'nominal quantile', series, { width: 460, height: 300, xDomain: [0, 1], yDomain: [0, 1] });
  });
  const head = '<tr><th>segment</th><th>model</th><th>y&lt;=p10 (0.1)</th><th>y&lt;=p50 (0.5)</th><th>y&lt;=p90 (0.9)</th><th>p10-p90 coverage (0.8)</th><th>points</th></tr>';
  const note = '<p>Pooled over origins and products. With intermittent demand many actuals are 0 and so is p10, so a tie y = p10 = 0 counts as y &lt;= p10: the p10 share can sit far above 0.1 without the interval being too wide.</p>';
  return `${note}<div class="grid-charts">${charts.join('')}</div><table>${head}${segs.map((s) => calibrationTable(s, d.calibration[s])).join('')}</table>`;
}

function summaryTable(r: BacktestResult): string {
  const head = ['segment', 'model', 'WQL', 'WAPE', 'MASE', 'RMSSE', 'coverage', 'RMSE', 'WQL/best', 'seconds'];
  const line = (row: Row) =>
    [row.segment, row.kind === 'baseline' ? `${row.name} (baseline)` : row.name, f3(row.mean.wql), f3(row.mean.wape), f3(row.mean.mase), f3(row.mean.rmsse), f3(row.mean.coverage), f3(row.mean.rmse), f3(row.relative?.wql), row.kind === 'baseline' ? '' : row.seconds.toFixed(1)]
      .map((c) => `<td>${esc(c)}</td>`)
      .join('');
  const rows = [...r.rows].sort((a, b) => (a.segment === b.segment ? 0 : a.segment === 'established' ? -1 : 1));
  return `<table><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr>${rows.map((row) => `<tr>${line(row)}</tr>`).join('')}</table>
<p>Means over windows: ${r.windows.map((w) => `${esc(w.origin)} (${w.established} established, ${w.new} new)`).join('; ')}. Best baselines: established ${esc(r.bestBaseline.established)}, new ${esc(r.bestBaseline.new)}.</p>`;
}

export function renderReport(result: BacktestResult, data: ReportData, meta: ReportMeta): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Trendcast backtest report</title><style>${CSS}</style></head><body>
<h1>Trendcast backtest report</h1>
<p>Data ${esc(meta.data)}; embedder ${esc(meta.embedder)}; models ${esc(meta.models.join(', '))}; ${meta.seconds.toFixed(1)} s.</p>
<section id="samples"><h2>Actual vs p10/p50/p90 (sample products)</h2>${samplesSection(data)}</section>
<section id="horizon"><h2>Error by model and horizon</h2>${horizonSection(data)}</section>
<section id="calibration"><h2>Calibration of the intervals</h2>${calibrationSection(data)}</section>
<section id="summary"><h2>Summary per model and segment</h2>${summaryTable(result)}</section>
</body></html>
`;
}
