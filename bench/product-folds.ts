/**
 * Do the backtest's targets hold on other sets of products? The evaluation file of the project is the
 * 20% of Online Retail's products that the development file leaves out (../shared/data/online-retail
 * README): nothing is tuned on them, and a fifth of the products is a smaller, noisier sample than the
 * whole development file. This splits the development file into `--folds` disjoint product sets by a
 * hash of the StockCode (all rows of a product in one fold, as the split itself is made), runs the
 * backtest on each as its own file (the LSTM trained and the ensemble fitted on that fold alone), and
 * prints issue 3's targets per fold.
 *
 *   npx tsx bench/product-folds.ts [--folds 5] [--only 0,2] [--models ...(the backtest's default)] [--data FILE]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { retailFile } from './retail-data';
import { ROOT } from '../test/integration/support/services';
import type { BacktestResult, Row } from '../shared/backtest/protocol';
import { csvField, readCsv } from '../shared/backtest/csv';

const argOf = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const FOLDS = Number(argOf('--folds') ?? 5);
const ONLY = argOf('--only')?.split(',').map(Number);
const MODELS = argOf('--models');
const DATA = argOf('--data') ?? retailFile();

/** FNV-1a of the code: any fixed hash will do, it only has to ignore everything but the product. */
function fold(code: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < code.length; i++) h = Math.imul(h ^ code.charCodeAt(i), 0x01000193) >>> 0;
  return h % FOLDS;
}

/** Writes one CSV per fold (the header in each), records parsed and written back, so quoted fields stay whole. */
async function split(dir: string): Promise<string[]> {
  const files = Array.from({ length: FOLDS }, (_, i) => path.join(dir, `fold${i}.csv`));
  const outs = files.map((f) => fs.createWriteStream(f));
  let header: string[] | undefined;
  for await (const rec of readCsv(DATA)) {
    if (!header) {
      header = Object.keys(rec);
      for (const o of outs) o.write(header.map(csvField).join(',') + '\n');
    }
    outs[fold(rec.StockCode ?? '')].write(header.map((k) => csvField(rec[k])).join(',') + '\n');
  }
  await Promise.all(outs.map((o) => new Promise((resolve) => o.end(resolve))));
  return files;
}

const row = (r: BacktestResult, name: string, segment: string): Row | undefined => r.rows.find((x) => x.name === name && x.segment === segment);
const f4 = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(4));

function summary(i: number, r: BacktestResult, seconds: number): string {
  const est = r.rows.filter((x) => x.segment === 'established');
  const ens = row(r, 'ensemble', 'established');
  const wq = row(r, 'weekday_quantiles', 'established');
  const others = est.filter((x) => x.name !== 'ensemble');
  const bestWql = others.reduce((a, b) => (b.mean.wql < a.mean.wql ? b : a));
  const bestRmsse = others.filter((x) => Number.isFinite(x.mean.rmsse)).reduce((a, b) => (b.mean.rmsse < a.mean.rmsse ? b : a));
  const cold = row(r, 'cold_start', 'new') ?? row(r, 'ensemble', 'new');
  const pdq = row(r, 'price_decile_quantiles', 'new');
  const w = r.windows.reduce((a, x) => ({ e: a.e + x.established, n: a.n + x.new }), { e: 0, n: 0 });
  return [
    i, (w.e / r.windows.length).toFixed(0), (w.n / r.windows.length).toFixed(0),
    f4(ens?.mean.wql), f4(wq?.mean.wql), ens && wq ? (ens.mean.wql / wq.mean.wql).toFixed(4) : '-',
    `${bestWql.name} ${f4(bestWql.mean.wql)}`, f4(ens?.mean.rmsse), `${bestRmsse.name} ${f4(bestRmsse.mean.rmsse)}`,
    cold && pdq ? (cold.mean.wql / pdq.mean.wql).toFixed(4) : '-', f4(ens?.mean.coverage), f4(cold?.mean.coverage), seconds.toFixed(0),
  ].join(' | ');
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trendcast-folds-'));
  console.log(`data: ${DATA}, ${FOLDS} folds by FNV-1a of StockCode; each fold's backtest JSON in ${dir}`);
  const files = await split(dir);
  console.log('| fold | established / window | new / window | ensemble WQL | weekday_quantiles | ratio (<= 0.90) | best other WQL | ensemble RMSSE | best other RMSSE | new: cold start / price_decile (<= 0.95) | coverage est. | coverage new | s |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (let i = 0; i < FOLDS; i++) {
    if (ONLY && !ONLY.includes(i)) continue;
    const json = path.join(dir, `fold${i}.json`);
    const t0 = Date.now();
    const args = ['tsx', 'services/backtest/main.ts', '--data', files[i], '--json', json, '--no-progress', ...(MODELS ? ['--models', MODELS] : [])];
    const run = spawnSync('npx', args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, LOG_LEVEL: 'warn' } });
    if (run.status !== 0) {
      console.log(`| ${i} | backtest failed (exit ${run.status}) |`);
      process.exitCode = 1; // the other folds still run, but a failed fold is not a result
      continue;
    }
    console.log(`| ${summary(i, JSON.parse(fs.readFileSync(json, 'utf8')), (Date.now() - t0) / 1000)} |`);
  }
  // the fold files are a copy of the input (~40 MB for the development file); the JSONs are kept
  for (const f of files) fs.rmSync(f, { force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
