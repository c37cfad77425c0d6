/**
 * Ensemble weighting schemes compared on cached member forecasts (bench/ensemble-cache.ts):
 *
 *   npx tsx bench/ensemble-lab.ts [--cache DIR] [--members a,b,...] [--embedder minilm|hash] [--weights]
 *       [--folds K]   (K validation windows pooled; statistical --members only)
 *
 * The first run fits every member on the four EVALUATION.md windows (~6 min with the LSTM) and
 * stores their forecasts; later runs only recombine them. Weights come from the validation window
 * (the 28 days before each origin, inside the training data); the scored window is used only to
 * print the established-segment measures, as the backtest does. Uses
 * ../shared/data/online-retail/online_retail_dev.csv.gz when present, else the bundled sample.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashEmbedder } from '../shared/backtest/hash-embedder';
import { meanScores, scoreSegment, type SegmentScores } from '../shared/backtest/metrics';
import { loadRetail } from '../shared/backtest/online-retail';
import { defaultEnsembleMembers, useModels } from '../shared/backtest/registry';
import { registerModels as registerTfjsModels } from '../shared/ml/register';
import { ORIGINS, buildWindow, establishedInput } from '../shared/backtest/windows';
import { classifier } from './demand-class';
import { embeddingSpec } from '../shared/config/common';
import { parseConfig } from '../shared/config/spec';
import { createEmbedder } from '../shared/embedding';
import { combine } from '../shared/forecasting/ensemble';
import { tidy, type QuantileForecast } from '../shared/forecasting/model';
import { DEV_DATA, FIXTURE } from '../services/backtest/args';
import { CachedWindow, extraFolds, memberForecasts, validationSet } from './ensemble-cache';
import { SCHEMES, type Weights } from './ensemble-schemes';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function loadInputs(file: string, embedder: string) {
  const data = await loadRetail(file);
  const texts = new Set<string>();
  for (const o of ORIGINS) for (const it of buildWindow(data, o).established) texts.add(it.text);
  const list = [...texts];
  let vs: Float32Array[];
  if (embedder === 'hash') vs = await hashEmbedder.embed(list);
  else {
    const env = parseConfig(embeddingSpec);
    const e = await createEmbedder({ modelId: env.EMBEDDING_MODEL_ID, modelDir: env.EMBEDDING_MODEL_DIR, allowRemote: env.EMBEDDING_ALLOW_REMOTE, batchSize: env.EMBEDDING_BATCH_SIZE });
    vs = await e.embed(list);
    await e.close();
  }
  return { data, vectors: new Map(list.map((t, i) => [t, vs[i]])) };
}

/** combine(), or for rows of length 3M (weights on every member's p10, p50, p90) the wide form. */
function combineAny(fs: QuantileForecast[], w: number[][]): QuantileForecast {
  if (w[0].length === fs.length) return combine(fs, w);
  const keys = ['p10', 'p50', 'p90'] as const;
  const out = keys.map((_, k) =>
    fs[0].p50.map((_, t) => w[k].reduce((a, x, j) => a + (x ? x * fs[j % fs.length][keys[Math.floor(j / fs.length)]][t] : 0), 0)),
  );
  return tidy({ p10: out[0], p50: out[1], p90: out[2] });
}

function scoreWith(c: CachedWindow, w: Weights, cls?: number[]): SegmentScores {
  const pick = (i: number) => (Array.isArray(w) ? w : w.byClass.get(cls![i])!);
  return scoreSegment(
    c.actual.map((actual, i) => ({
      actual,
      forecast: combineAny(c.test.map((t) => t[i]), pick(i)),
      maseScale: c.maseScale[i],
      rmsseScale: c.rmsseScale[i],
    })),
  );
}

const fmt = (s: SegmentScores) => `WQL ${s.wql.toFixed(6)}  RMSSE ${s.rmsse.toFixed(6)}  coverage ${s.coverage.toFixed(4)}  WAPE ${s.wape.toFixed(4)}`;

async function main(): Promise<void> {
  useModels(registerTfjsModels);
  const file = flag('--data', existsSync(DEV_DATA) ? DEV_DATA : FIXTURE);
  const members = flag('--members', defaultEnsembleMembers().join(',')).split(',');
  const dir = flag('--cache', join(tmpdir(), 'trendcast-ensemble-cache'));
  const t0 = Date.now();
  const cache = await memberForecasts(() => loadInputs(file, flag('--embedder', 'minilm')), dir, members, (m) => process.stderr.write(m + '\n'));
  process.stdout.write(`members ${members.join(', ')}; cache ${dir} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  const classes = await demandClasses(file);
  const folds = Number(flag('--folds', '1'));
  if (folds > 1) await addFolds(file, cache, classes, members, folds, dir);
  const only = (j: number) => members.map((_, m) => (m === j ? 1 : 0));
  for (const [j, name] of members.entries()) {
    const per = cache.map((c) => scoreWith(c, [only(j), only(j), only(j)]));
    process.stdout.write(`  ${name.padEnd(34)} ${fmt(meanScores(per))}  per window RMSSE ${per.map((p) => p.rmsse.toFixed(5)).join(' ')}\n`);
  }
  for (const [name, scheme] of Object.entries(SCHEMES)) {
    const weights = cache.map((c, k) => scheme(c.val, c.valActual, c.valRmsseScale, classes[k].val));
    const per = cache.map((c, k) => scoreWith(c, weights[k], classes[k].test));
    process.stdout.write(`  ${name.padEnd(34)} ${fmt(meanScores(per))}  per window WQL ${per.map((p) => p.wql.toFixed(4)).join(' ')} RMSSE ${per.map((p) => p.rmsse.toFixed(5)).join(' ')}\n`);
    if (process.argv.includes('--weights')) weights.forEach((w, k) => printWeights(ORIGINS[k], w));
  }
}

/** Validation folds 2..folds pooled with the first (their products get no demand class: class -1). */
async function addFolds(file: string, cache: CachedWindow[], classes: { val: number[] }[], members: string[], folds: number, dir: string): Promise<void> {
  if (members.some((m) => m.startsWith('lstm'))) throw new Error('--folds: statistical members only (pass --members without lstm; extra LSTM fits would need the embeddings)');
  const data = await loadRetail(file);
  for (const [k, c] of cache.entries()) {
    for (const f of await extraFolds(data, c.origin, members, folds, dir)) {
      c.val = c.val.map((m, j) => [...m, ...f.val[j]]);
      c.valActual = [...c.valActual, ...f.valActual];
      c.valRmsseScale = [...c.valRmsseScale, ...f.valRmsseScale];
      classes[k].val = [...classes[k].val, ...new Array(f.valActual.length).fill(-1)];
    }
  }
}

function printWeights(origin: string, w: Weights): void {
  const rows = (x: number[][]) => x.map((r) => r.map((v) => v.toFixed(2)).join('/')).join(' | ');
  if (Array.isArray(w)) return void process.stdout.write(`      ${origin} ${rows(w)}\n`);
  for (const [c, x] of w.byClass) process.stdout.write(`      ${origin} class ${c}: ${rows(x)}\n`);
}

/** Demand class of each validation product (cut history) and scored product (full history), per window. */
async function demandClasses(file: string): Promise<{ val: number[]; test: number[] }[]> {
  const data = await loadRetail(file);
  return ORIGINS.map((o) => {
    const train = buildWindow(data, o).established.map((it) => establishedInput(it));
    const classify = classifier(train);
    const { cut, scored } = validationSet(train);
    return { val: scored.map((i) => classify(cut[i])), test: train.map(classify) };
  });
}

main().catch((e) => {
  process.stderr.write(`ensemble-lab failed: ${(e as Error).stack}\n`);
  process.exit(1);
});
