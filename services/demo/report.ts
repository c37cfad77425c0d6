import type { Trend } from '../../shared/domain/events';
import type { DemoResult } from './demo';
import { strongest } from './demo';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const pad = (s: string, n: number) => (s.length > n ? s.slice(0, n - 1) + '…' : s.padEnd(n));
const num = (x: number, d = 1) => x.toFixed(d).padStart(8);

// The daily quantiles are averaged over the week, not summed: a sum of daily p50s is not the p50 of
// the week's total (on intermittent demand it is often 0 while the total is not), and a sum of daily
// p10..p90 is far wider than the interval of the total. The column says what it is: a daily figure.
function row(t: Trend, titles: Map<string, string>): string {
  const week = t.horizon.slice(0, 7);
  const mean = (k: 'p10' | 'p50' | 'p90') => week.reduce((a, p) => a + p[k], 0) / week.length;
  return `  ${pad(t.sku, 8)} ${pad(titles.get(t.sku) ?? '', 34)} ${num(t.level)} ${(100 * t.slope).toFixed(1).padStart(7)}% ${num(mean('p50'))}  (${mean('p10').toFixed(1)}..${mean('p90').toFixed(1)})`;
}

/** Prints the demo's outcome: what went through the pipeline and the strongest trends either way. */
export function printReport(r: DemoResult, o: { file: string; top: number; seconds: number; embedder: string }): void {
  const titles = r.titles;
  const { rising, falling } = strongest(r.trends, o.top);
  const any = r.trends[0];
  const out: string[] = [];
  out.push(`Trendcast embedded demo: ${o.file}`);
  out.push(`  ${r.events.orders} order and ${r.events.listings} listing events (${r.events.skipped} rows skipped as non-products) through the consumers, in memory; ${r.dlq} dead-lettered`);
  out.push(`  listing embeddings by ${o.embedder}; ${r.trends.length} trends from model ${any?.model ?? '-'} in ${o.seconds.toFixed(1)} s`);
  if (any) out.push(`  based on events up to ${new Date(any.basedOnEventTime).toISOString()}; forecast from ${day(any.horizon[0].bucketStart)} for ${any.horizon.length} days`);
  const header = `  ${pad('sku', 8)} ${pad('title', 34)} ${'level/d'.padStart(8)} ${'slope/d'.padStart(8)} ${'p50/d'.padStart(8)}  (p10..p90)/d over the next 7 days`;
  out.push('', `Strongest rising trends:`, header, ...rising.map((t) => row(t, titles)));
  out.push('', `Strongest falling trends:`, header, ...falling.map((t) => row(t, titles)));
  process.stdout.write(out.join('\n') + '\n');
}
