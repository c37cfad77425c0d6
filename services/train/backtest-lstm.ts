/**
 * The LSTM alone through the EVALUATION.md protocol (with the reference baselines of the same run),
 * for the text ablation recorded in BENCHMARKS.md:
 *   npx tsx services/train/backtest-lstm.ts [--data FILE] [--models lstm,lstm_notext] [--origins 2011-08-14,...]
 */
import { loadRetail } from '../../shared/backtest/online-retail';
import { runBacktest } from '../../shared/backtest/protocol';
import { registerModel } from '../../shared/backtest/registry';
import { createEmbedder } from '../../shared/embedding';
import { initBackend } from '../../shared/ml/backend';
import { registerModels } from '../../shared/ml/register';
import { ORIGINS } from '../../shared/backtest/windows';
import { defaultDataFile } from './handler';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  await initBackend(process.env.TFJS_BACKEND);
  registerModels(registerModel);
  const models = arg('--models', 'lstm,lstm_notext').split(',');
  const origins = arg('--origins', ORIGINS.join(',')).split(',');
  const data = await loadRetail(arg('--data', defaultDataFile()));
  const emb = await createEmbedder({ modelId: 'Xenova/all-MiniLM-L6-v2', modelDir: process.env.EMBEDDING_MODEL_DIR ?? 'models', allowRemote: false, batchSize: 32 });
  const t0 = Date.now();
  const r = await runBacktest(data, { models, ensembleMembers: [], origins, embed: (x) => emb.embed(x) });
  await emb.close();
  const f = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(4));
  for (const row of r.rows) {
    const w = row.windows.map((s) => s.wql.toFixed(3)).join(' ');
    console.log(`${row.segment.padEnd(12)} ${row.name.padEnd(24)} WQL ${f(row.mean.wql)} rel ${f(row.relative?.wql)} cov ${f(row.mean.coverage)} RMSSE ${f(row.mean.rmsse)} | ${w}`);
  }
  console.log(`seconds ${((Date.now() - t0) / 1000).toFixed(0)}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`backtest-lstm failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
