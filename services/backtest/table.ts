/** The terminal table: one line per baseline and model, per segment, with ratios to the best baseline. */
import type { BacktestResult, Row } from '../../shared/backtest/protocol';

const f4 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(4));

export function formatTable(r: BacktestResult): string {
  const head = ['segment', 'model', 'WQL', 'WAPE', 'MASE', 'RMSSE', 'coverage', 'RMSE', 'WQL/best', 'RMSSE/best', 'seconds'];
  const line = (row: Row) => [
    row.segment,
    row.kind === 'baseline' ? `${row.name} (baseline)` : row.name,
    f4(row.mean.wql),
    f4(row.mean.wape),
    f4(row.mean.mase),
    f4(row.mean.rmsse),
    f4(row.mean.coverage),
    f4(row.mean.rmse),
    f4(row.relative?.wql),
    f4(row.relative?.rmsse),
    row.kind === 'baseline' ? '' : row.seconds.toFixed(1),
  ];
  const rows = [...r.rows].sort((a, b) => (a.segment === b.segment ? 0 : a.segment === 'established' ? -1 : 1));
  const cells = [head, ...rows.map(line)];
  const widths = head.map((_, j) => Math.max(...cells.map((c) => c[j].length)));
  const fmt = (c: string[]) => '| ' + c.map((v, j) => (j < 2 ? v.padEnd(widths[j]) : v.padStart(widths[j]))).join(' | ') + ' |';
  const sep = '| ' + widths.map((w, j) => (j < 2 ? '-'.repeat(w) : '-'.repeat(w - 1) + ':')).join(' | ') + ' |';
  const windows = r.windows.map((w) => `${w.origin}: ${w.established} established, ${w.new} new`).join('; ');
  return [
    `Windows (means over ${r.windows.length}): ${windows}`,
    `Best baselines (lowest WQL): established ${r.bestBaseline.established}, new ${r.bestBaseline.new}`,
    fmt(head),
    sep,
    ...rows.map((row) => fmt(line(row))),
  ].join('\n');
}
