/**
 * `train`: reads an Online Retail CSV, builds every established product's series at the origin
 * (EVALUATION.md steps 1-4, through the shared loader), embeds the listing texts with the real
 * sentence model, fits the global LSTM and writes a new artifact version.
 */
import { existsSync } from 'fs';
import * as path from 'path';
import { SingleBar } from 'cli-progress';
import type { SeriesInput } from '../../shared/forecasting/model';
import { DAY_MS, RetailData, dayToIso, demandBetween, isoToDay, listingText, loadRetail, medianPrice } from '../../shared/backtest/online-retail';
import { createEmbedder } from '../../shared/embedding';
import type { Logger } from '../../shared/log';
import { saveArtifact } from '../../shared/ml/artifact';
import { initBackend } from '../../shared/ml/backend';
import { GlobalLstmModel } from '../../shared/ml/lstm';

export interface TrainArgs {
  data: string;
  out: string;
  /** YYYY-MM-DD; default the file's last day. */
  origin?: string;
  epochs?: number;
  useText: boolean;
  seed?: number;
  progress: boolean;
}

export interface TrainEnv {
  TFJS_BACKEND: string;
  EMBEDDING_MODEL_ID: string;
  EMBEDDING_MODEL_DIR: string;
  EMBEDDING_ALLOW_REMOTE: boolean;
  EMBEDDING_BATCH_SIZE: number;
}

const USAGE = 'usage: train [--data FILE] [--out DIR] [--origin YYYY-MM-DD] [--epochs N] [--seed N] [--no-text] [--no-progress]';

export function defaultDataFile(root = process.cwd()): string {
  const dev = path.join(root, '..', 'shared', 'data', 'online-retail', 'online_retail_dev.csv.gz');
  return existsSync(dev) ? dev : path.join(root, 'test', 'fixtures', 'online-retail', 'sample.csv');
}

export function parseTrainArgs(argv: string[], root = process.cwd()): TrainArgs {
  const a: TrainArgs = { data: defaultDataFile(root), out: 'artifacts', useText: true, progress: true };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    const int = (name: string): number => {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${v}"`);
      return n;
    };
    if (flag === '--data') a.data = value();
    else if (flag === '--out') a.out = value();
    else if (flag === '--origin') {
      a.origin = value();
      isoToDay(a.origin); // throws naming the bad date
    } else if (flag === '--epochs') a.epochs = int('--epochs');
    else if (flag === '--seed') a.seed = int('--seed');
    else if (flag === '--no-text') a.useText = false;
    else if (flag === '--no-progress') a.progress = false;
    else throw new Error(`unknown argument "${flag}"\n${USAGE}`);
  }
  return a;
}

export interface TrainItem {
  input: SeriesInput;
  text: string;
}

/** Established products at the origin: history from the first sale, listing text and price up to it. */
export function trainingItems(data: RetailData, origin: number): TrainItem[] {
  const out: TrainItem[] = [];
  for (const sku of [...data.products.keys()].sort()) {
    const p = data.products.get(sku)!;
    if (p.firstSaleDay < 0 || p.firstSaleDay > origin) continue;
    const input: SeriesInput = { sku, history: demandBetween(data, p, p.firstSaleDay, origin), startTime: p.firstSaleDay * DAY_MS, bucketMs: DAY_MS, price: medianPrice(p, -Infinity, origin) };
    out.push({ input, text: listingText(p, -Infinity, origin) });
  }
  return out;
}

async function attachEmbeddings(items: TrainItem[], env: TrainEnv, log: Logger): Promise<void> {
  const embedder = await createEmbedder({ modelId: env.EMBEDDING_MODEL_ID, modelDir: env.EMBEDDING_MODEL_DIR, allowRemote: env.EMBEDDING_ALLOW_REMOTE, batchSize: env.EMBEDDING_BATCH_SIZE });
  try {
    const texts = [...new Set(items.map((it) => it.text))];
    const t0 = Date.now();
    const vs = await embedder.embed(texts);
    const byText = new Map(texts.map((t, i) => [t, vs[i]]));
    for (const it of items) it.input.embedding = byText.get(it.text);
    log.info('listing texts embedded', { texts: texts.length, dim: embedder.dim, seconds: (Date.now() - t0) / 1000 });
  } finally {
    await embedder.close();
  }
}

function progressBar(enabled: boolean): { update: (f: number) => void; stop: () => void } {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({ stream: process.stderr, format: 'training [{bar}] {percentage}% | ETA {eta_formatted}', hideCursor: true });
  bar.start(1000, 0);
  return { update: (f) => bar.update(Math.round(f * 1000)), stop: () => bar.stop() };
}

export interface TrainResult {
  model: string;
  version: string;
  dir: string;
  products: number;
  seconds: number;
  validation: unknown;
}

export async function runTrain(a: TrainArgs, env: TrainEnv, log: Logger): Promise<TrainResult> {
  const t0 = Date.now();
  const backend = await initBackend(env.TFJS_BACKEND, log);
  const data = await loadRetail(a.data);
  const origin = a.origin ? isoToDay(a.origin) : data.lastDay;
  if (origin < data.firstDay || origin > data.lastDay) throw new Error(`--origin ${dayToIso(origin)} is outside the data (${dayToIso(data.firstDay)}..${dayToIso(data.lastDay)})`);
  const items = trainingItems(data, origin);
  if (items.length === 0) throw new Error(`${a.data}: no product sold on or before ${dayToIso(origin)}`);
  log.info('training data', { file: a.data, origin: dayToIso(origin), products: items.length });
  if (a.useText) await attachEmbeddings(items, env, log);
  const model = new GlobalLstmModel({ useText: a.useText, epochs: a.epochs, seed: a.seed, log });
  const bar = progressBar(a.progress);
  try {
    await model.fit(items.map((it) => it.input), { horizon: 28, onProgress: bar.update });
  } finally {
    bar.stop();
  }
  const run = {
    data: path.resolve(a.data),
    origin: dayToIso(origin),
    trainingWindow: { from: dayToIso(data.firstDay), to: dayToIso(origin) },
    products: items.length,
    embeddingModel: a.useText ? env.EMBEDDING_MODEL_ID : null,
    backend,
  };
  const { dir, version } = await saveArtifact(model, a.out, run);
  const seconds = (Date.now() - t0) / 1000;
  log.info('artifact written', { model: model.name, version, dir, seconds });
  const result = { model: model.name, version, dir, products: items.length, seconds, validation: model.metadata.validation };
  model.dispose();
  return result;
}
