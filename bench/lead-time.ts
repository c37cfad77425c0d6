/**
 * Lead-time demand for the restock rule: how well several bounds give the p90 of a product's TOTAL
 * demand over the first L days after the origin, on the established products of the four
 * EVALUATION.md windows:
 * - the sum of the daily p90s (what the restock rule uses);
 * - the same marginals combined as if the days were independent: sum p50 + sqrt(sum (p90 - p50)^2);
 * - the sum of the daily p50s (for scale);
 * - session 5: the p90 of the product's own past L-day totals (the 182 days before the origin), as
 *   it is, rescaled two ways, and the larger of it and the sum of the daily p90s.
 * Per bound and L: the share of products whose realised total is at or below it (a p90: 0.90) and
 * the pinball loss at 0.9 of the bound as a forecast of the total, over the summed totals (lower is
 * better; it rewards calibration and sharpness together, and weighs products by their volume), and
 * the same loss per product over its own scale (mean daily demand of the 182 days before the origin
 * x L), averaged over products, so that each product counts alike.
 *
 *   npx tsx bench/lead-time.ts [--data FILE] [--with-lstm]
 * The ensemble of the statistical members (as the backtest builds it; under a minute); --with-lstm
 * adds the LSTM member (about 7 minutes). Uses ../shared/data/online-retail/online_retail_dev.csv.gz
 * when present, else the bundled sample.
 */
import { existsSync } from 'node:fs';
import { loadRetail } from '../shared/backtest/online-retail';
import { runBacktest } from '../shared/backtest/protocol';
import { defaultEnsembleMembers, useModels } from '../shared/backtest/registry';
import { hashEmbedder } from '../shared/backtest/hash-embedder';
import { pinball } from '../shared/backtest/metrics';
import { leadTimeP90, pastTotalsQuantile } from '../shared/forecasting/lead-time';
import type { QuantileForecast } from '../shared/forecasting/model';
import { registerModels } from '../shared/ml/register';
import { DEV_DATA, FIXTURE } from '../services/backtest/args';

const flag = (name: string, fallback: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
// 4 and 10 are not LEAD_GRID lengths: there leadTimeP90 interpolates the past totals
const LEADS = [3, 4, 7, 10, 14, 28];

type Bound = (f: QuantileForecast, L: number, history: Float64Array) => number | undefined;
const sum = (xs: number[], L: number) => xs.slice(0, L).reduce((a, v) => a + v, 0);
const mean = (xs: Float64Array) => (xs.length ? xs.reduce((a, v) => a + v, 0) / xs.length : 0);

const BOUNDS: Record<string, Bound> = {
  'sum of the daily p90s': (f, L) => sum(f.p90, L),
  'independent days: sum p50 + sqrt(sum (p90 - p50)^2)': (f, L) => sum(f.p50, L) + Math.sqrt(f.p90.slice(0, L).reduce((a, v, d) => a + (v - f.p50[d]) ** 2, 0)),
  'sum of the daily p50s': (f, L) => sum(f.p50, L),
  // session 5: the product's own history of L-day totals, not the forecast's marginals
  'p90 of the past L-day totals (182 days)': (_f, L, h) => pastTotalsQuantile(h, L, 0.9),
  'the same, x the last 28 days mean / the 182 days mean': (_f, L, h) => {
    const recent = mean(h.subarray(Math.max(0, h.length - 28)));
    const long = mean(h.subarray(Math.max(0, h.length - 182)));
    const past = pastTotalsQuantile(h, L, 0.9);
    return long > 0 && past !== undefined ? past * (recent / long) : undefined;
  },
  'the same, x the forecast sum p50 / the past mean L-day total': (f, L, h) => {
    const long = mean(h.subarray(Math.max(0, h.length - 182))) * L;
    const past = pastTotalsQuantile(h, L, 0.9);
    return long > 0 && past !== undefined ? past * (Math.max(sum(f.p50, L), 0) / long) : undefined;
  },
  // the value the trends carry (shared/forecasting/lead-time.ts): computed over the whole horizon, read at L
  'leadTimeP90: max(sum of the daily p90s, p90 of the past L-day totals)': (f, L, h) => leadTimeP90(h, f.p90)[L - 1],
  'the same with the past totals exact at every L': (f, L, h) => Math.max(sum(f.p90, L), pastTotalsQuantile(h, L, 0.9) ?? 0),
};

async function main() {
  const data = flag('--data', existsSync(DEV_DATA) ? DEV_DATA : FIXTURE);
  if (process.argv.includes('--with-lstm')) useModels(registerModels);
  const t0 = Date.now();
  const acc = new Map<string, { covered: number; n: number; loss: number; total: number; scaled: number }>();
  const members = defaultEnsembleMembers();
  await runBacktest(await loadRetail(data), {
    models: ['ensemble'], ensembleMembers: members, embed: hashEmbedder.embed,
    onForecast: (e) => {
      if (e.segment !== 'established') return;
      e.window.established.forEach((it, i) => {
        const f = e.forecasts[i];
        // the product's own scale: its mean daily demand over the last 182 days before the origin
        const tail = it.history.subarray(Math.max(0, it.history.length - 182));
        const scale = Math.max(0.1, tail.reduce((a, v) => a + v, 0) / Math.max(1, tail.length)); // floor: products that nearly never sell
        for (const L of LEADS) {
          const y = sum(Array.from(it.actual), L);
          for (const [name, bound] of Object.entries(BOUNDS)) {
            const b = bound(f, L, it.history);
            if (b === undefined) continue;
            const a = acc.get(`${name}|${L}`) ?? { covered: 0, n: 0, loss: 0, total: 0, scaled: 0 };
            a.scaled += pinball(y, b, 0.9) / (scale * L);
            a.n++;
            if (y <= b) a.covered++;
            a.loss += pinball(y, b, 0.9);
            a.total += y;
            acc.set(`${name}|${L}`, a);
          }
        }
      });
    },
  });
  process.stdout.write(`data ${data}, ensemble of ${members.join(', ')}, ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  process.stdout.write(`| bound | ${LEADS.map((L) => `${L} days`).join(' | ')} |\n| --- |${LEADS.map(() => ' ---: |').join('')}\n`);
  for (const name of Object.keys(BOUNDS)) {
    const cells = LEADS.map((L) => {
      const a = acc.get(`${name}|${L}`);
      return a ? `${(a.covered / a.n).toFixed(3)} / ${(a.loss / a.total).toFixed(4)} / ${(a.scaled / a.n).toFixed(4)}` : '-';
    });
    process.stdout.write(`| ${name} | ${cells.join(' | ')} |\n`);
  }
  process.stdout.write(`cells: share of product-windows with total <= bound / pinball(0.9) over summed totals / mean over products of pinball(0.9) over (the product's mean daily demand x L); ${acc.get(`${Object.keys(BOUNDS)[0]}|7`)?.n ?? 0} product-windows\n`);
}

void main().then(() => process.exit(0), (err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
