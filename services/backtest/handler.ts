/** The backtest command: load, embed, run EVALUATION.md, print the table, write JSON and the forecast export. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { SingleBar } from 'cli-progress';
import { hashEmbedder } from '../../shared/backtest/hash-embedder';
import { loadRetail } from '../../shared/backtest/online-retail';
import { BacktestResult, Embed, runBacktest } from '../../shared/backtest/protocol';
import { defaultEnsembleMembers, defaultModels, getModel, useModels } from '../../shared/backtest/registry';
import { registerModels as registerTfjsModels } from '../../shared/ml/register';
import { createEmbedder } from '../../shared/embedding';
import type { Logger } from '../../shared/log';
import type { BacktestArgs } from './args';
import { formatTable } from './table';
import { ReportCollector } from '../../shared/report/collect';
import { renderReport } from '../../shared/report/html';

export interface EmbeddingEnv {
  EMBEDDING_MODEL_ID: string;
  EMBEDDING_MODEL_DIR: string;
  EMBEDDING_ALLOW_REMOTE: boolean;
  EMBEDDING_BATCH_SIZE: number;
}

async function makeEmbed(args: BacktestArgs, env: EmbeddingEnv, log: Logger): Promise<{ embed?: Embed; close(): Promise<void>; id: string }> {
  if (args.embedder === 'none') return { close: async () => {}, id: 'none' };
  if (args.embedder === 'hash') return { embed: hashEmbedder.embed, close: async () => {}, id: hashEmbedder.modelId };
  const e = await createEmbedder({ modelId: env.EMBEDDING_MODEL_ID, modelDir: env.EMBEDDING_MODEL_DIR, allowRemote: env.EMBEDDING_ALLOW_REMOTE, batchSize: env.EMBEDDING_BATCH_SIZE }).catch((err: Error) => {
    throw new Error(`${err.message} (or run with --embedder hash)`);
  });
  const embed: Embed = async (texts) => {
    const t0 = Date.now();
    const vs = await e.embed(texts);
    log.info('listing texts embedded', { texts: texts.length, dim: e.dim, seconds: (Date.now() - t0) / 1000 });
    return vs;
  };
  return { embed, close: () => e.close(), id: e.modelId };
}

export async function runBacktestCommand(args: BacktestArgs, env: EmbeddingEnv, log: Logger): Promise<BacktestResult & { meta: Record<string, unknown> }> {
  useModels(registerTfjsModels);
  const models = args.models ?? defaultModels();
  const ensembleMembers = args.ensembleMembers ?? defaultEnsembleMembers();
  for (const m of [...models, ...(models.includes('ensemble') ? ensembleMembers : [])]) getModel(m); // unknown names fail before any work
  const exportModel = args.forecasts ? (args.forecastModel ?? (models.includes('ensemble') ? 'ensemble' : models[0])) : undefined;
  if (exportModel && !models.includes(exportModel)) throw new Error(`--forecast-model ${exportModel} is not among --models`);
  const sampleModel = args.forecastModel ?? (models.includes('ensemble') ? 'ensemble' : models[0]);
  if (args.report && !models.includes(sampleModel)) throw new Error(`--report: --forecast-model ${sampleModel} is not among --models`);
  const collector = args.report ? new ReportCollector(sampleModel) : undefined;
  const t0 = Date.now();
  const data = await loadRetail(args.data);
  log.info('data loaded', { file: args.data, rows: data.rowsRead, kept: data.rowsKept, products: data.products.size, seconds: (Date.now() - t0) / 1000 });
  const embedder = await makeEmbed(args, env, log);
  const bar = args.progress ? new SingleBar({ stream: process.stderr, format: 'backtest [{bar}] {value}/{total} {label} ({duration}s)', hideCursor: true }) : undefined;
  try {
    bar?.start(1, 0, { label: 'embedding listings' });
    const result = await runBacktest(data, {
      models,
      ensembleMembers,
      embed: embedder.embed,
      exportModel,
      onForecast: collector?.onForecast,
      onProgress: (done, total, label) => {
        bar?.setTotal(total);
        bar?.update(done, { label });
      },
    });
    bar?.stop();
    const meta = { data: args.data, rows: data.rowsRead, products: data.products.size, embedder: embedder.id, models, ensembleMembers, seconds: (Date.now() - t0) / 1000 };
    process.stdout.write(formatTable(result) + '\n');
    log.info('backtest done', { seconds: meta.seconds });
    if (args.json) await writeJson(args.json, { meta, ...result, forecasts: undefined });
    if (args.forecasts && result.forecasts) await writeForecasts(args.forecasts, result);
    if (args.report && collector) {
      await writeFile(args.report, renderReport(result, collector.result(), { data: args.data, embedder: embedder.id, models, seconds: meta.seconds }));
      log.info('report written', { file: args.report });
    }
    return { ...result, meta };
  } finally {
    bar?.stop();
    await embedder.close();
  }
}

async function writeJson(file: string, value: unknown): Promise<void> {
  const out = createWriteStream(file);
  out.end(JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
  await once(out, 'finish');
}

const num = (v: number) => String(Math.round(v * 1e6) / 1e6);

async function writeForecasts(file: string, r: BacktestResult): Promise<void> {
  const out = createWriteStream(file);
  out.write('origin,sku,date,p10,p50,p90\n');
  for (const f of r.forecasts!) {
    if (!out.write(`${f.origin},${f.sku},${f.date},${num(f.p10)},${num(f.p50)},${num(f.p90)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
