/**
 * Chinese embedding quality and speed on real reviews (online_shopping_10_cats, read from /work/shared):
 * nearest-centroid accuracy for the category (10 classes) and the sentiment label, 70/30 split of an
 * evenly spaced sample, for bge-small-zh-v1.5 (CLS pooling) against all-MiniLM-L6-v2 (English).
 *   npx tsx scripts/bench-embedding-zh.ts [--every 47] [--n 1000]
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { cosine, createEmbedder } from '../shared/embedding';

const FILE = '/work/shared/data/reviews-zh/online_shopping_10_cats_dev.csv.gz';
interface Row { cat: string; label: string; text: string }

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

async function sample(every: number, n: number): Promise<Row[]> {
  const rows: Row[] = [];
  let line = 0;
  for await (const l of createInterface({ input: createReadStream(FILE).pipe(createGunzip()) })) {
    if (line++ === 0 || line % every !== 0) continue;
    const [cat, label, ...rest] = l.split(','); // the review is the last column and may hold commas
    const text = rest.join(',').trim();
    if (text) rows.push({ cat, label, text });
    if (rows.length >= n) break;
  }
  return rows;
}

// Centroids from rows i % 10 < 7, accuracy on the others (the file is sorted by category, so this
// split keeps every category on both sides).
function nearestCentroidAccuracy(rows: Row[], v: Float32Array[], key: (r: Row) => string): number {
  const cent = new Map<string, Float64Array>();
  rows.forEach((r, i) => {
    if (i % 10 >= 7) return;
    const c = cent.get(key(r)) ?? new Float64Array(v[i].length);
    v[i].forEach((x, j) => (c[j] += x));
    cent.set(key(r), c);
  });
  let ok = 0;
  let total = 0;
  rows.forEach((r, i) => {
    if (i % 10 < 7) return;
    total++;
    let best = '';
    let bestSim = -Infinity;
    for (const [k, c] of cent) {
      const s = cosine(v[i], c);
      if (s > bestSim) [best, bestSim] = [k, s];
    }
    if (best === key(r)) ok++;
  });
  return Number((ok / total).toFixed(3));
}

async function main(): Promise<void> {
  const rows = await sample(arg('every', 47), arg('n', 1000));
  const models = [
    { modelId: 'Xenova/bge-small-zh-v1.5', pooling: 'cls' as const, quantized: true },
    { modelId: 'Xenova/all-MiniLM-L6-v2', pooling: 'mean' as const, quantized: false },
  ];
  for (const m of models) {
    const e = await createEmbedder({ ...m, modelDir: 'models', allowRemote: false, batchSize: 32, log: () => undefined });
    const t0 = performance.now();
    const v = await e.embed(rows.map((r) => r.text));
    const ms = performance.now() - t0;
    console.log(JSON.stringify({
      model: m.modelId, dim: e.dim, runtime: e.runtime, texts: rows.length, textsPerSec: Math.round((rows.length / ms) * 1000),
      categoryAcc: nearestCentroidAccuracy(rows, v, (r) => r.cat), sentimentAcc: nearestCentroidAccuracy(rows, v, (r) => r.label),
    }));
    await e.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
