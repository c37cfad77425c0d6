/**
 * LSTM benchmark: training time on the Online Retail products at an origin, and batched forecast
 * throughput (products/s), on whatever backend TFJS_BACKEND selects.
 *   npx tsx services/train/bench.ts [--data FILE] [--origin 2011-11-06] [--no-text] [--epochs N] [--products N]
 */
import { createEmbedder } from '../../shared/embedding';
import { isoToDay, loadRetail } from '../../shared/backtest/online-retail';
import type { SeriesInput } from '../../shared/forecasting/model';
import { initBackend } from '../../shared/ml/backend';
import { GlobalLstmModel } from '../../shared/ml/lstm';
import { defaultDataFile, trainingItems } from './handler';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function throughput(model: GlobalLstmModel, inputs: SeriesInput[], n: number): Promise<{ batch: number; seconds: number; perSecond: number }> {
  const batch = Array.from({ length: n }, (_, i) => inputs[i % inputs.length]);
  await model.forecast(batch, 28); // warm-up: the wasm heap grows on the first large batch
  const runs = 3;
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < runs; r++) await model.forecast(batch, 28);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9 / runs;
  return { batch: n, seconds, perSecond: n / seconds };
}

async function main(): Promise<void> {
  const backend = await initBackend(process.env.TFJS_BACKEND);
  const data = await loadRetail(arg('--data', defaultDataFile()));
  const origin = isoToDay(arg('--origin', '2011-11-06'));
  const useText = !process.argv.includes('--no-text');
  const items = trainingItems(data, origin);
  let embedSeconds = 0;
  if (useText) {
    const emb = await createEmbedder({ modelId: 'Xenova/all-MiniLM-L6-v2', modelDir: process.env.EMBEDDING_MODEL_DIR ?? 'models', allowRemote: false, batchSize: 32 });
    const t = Date.now();
    const texts = [...new Set(items.map((it) => it.text))];
    const vs = await emb.embed(texts);
    const by = new Map(texts.map((x, i) => [x, vs[i]]));
    for (const it of items) it.input.embedding = by.get(it.text);
    embedSeconds = (Date.now() - t) / 1000;
    await emb.close();
  }
  const inputs = items.map((it) => it.input);
  const epochs = Number(arg('--epochs', '0')) || undefined;
  const model = new GlobalLstmModel({ useText, epochs });
  const t0 = Date.now();
  await model.fit(inputs, { horizon: 28 });
  const fitSeconds = (Date.now() - t0) / 1000;
  const sizes = [1000, 5000, Number(arg('--products', '20000'))];
  const rates = [];
  for (const n of sizes) rates.push(await throughput(model, inputs, n));
  const out = { backend, products: inputs.length, useText, embedSeconds, fitSeconds, training: model.metadata.training, validation: model.metadata.validation, forecast: rates };
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
  model.dispose();
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
