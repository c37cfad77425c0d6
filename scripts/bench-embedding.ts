/**
 * Embedding throughput by batch size, on distinct real product titles (Online Retail descriptions).
 *   npx tsx scripts/bench-embedding.ts [--n 512] [--sizes 1,8,16,32,64] [--runtime auto|wasm] [--data FILE]
 * Reads /work/shared/data/online-retail/online_retail_dev.csv.gz when present, else the committed
 * fixture sample (fewer titles). Prints one JSON line per batch size: best of 3 wall time and CPU time
 * of the model process (the cores may be shared), and the max deviation between a batch's vectors and
 * the same texts embedded one by one.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import path from 'node:path';
import { createEmbedder } from '../shared/embedding';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}

async function loadTitles(file: string, n: number): Promise<string[]> {
  const input = file.endsWith('.gz') ? createReadStream(file).pipe(createGunzip()) : createReadStream(file);
  const seen = new Set<string>();
  let header: string[] | null = null;
  for await (const line of createInterface({ input })) {
    const cols = line.split(','); // Description holds no commas in the rows we keep (checked below)
    if (!header) {
      header = cols;
      continue;
    }
    const d = cols[header.indexOf('Description')]?.trim();
    if (d && cols.length === header.length && !seen.has(d)) seen.add(d);
    if (seen.size >= n) break;
  }
  return [...seen];
}

// CPU seconds (user + system, all threads) of a process: robust to other jobs sharing the cores.
function cpuMs(pid: number | undefined): number {
  if (!pid) return NaN;
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime, stime in clock ticks (100 Hz)
}

async function main(): Promise<void> {
  const n = Number(arg('n', '512'));
  const sizes = arg('sizes', '1,8,16,32,64').split(',').map(Number);
  const runtime = arg('runtime', 'auto') as 'auto' | 'wasm';
  const quantized = arg('quantized', 'true') !== 'false';
  const shared = '/work/shared/data/online-retail/online_retail_dev.csv.gz';
  const fixture = path.join(__dirname, '../test/fixtures/online-retail/sample.csv');
  const file = arg('data', existsSync(shared) ? shared : fixture);
  const titles = await loadTitles(file, n);
  const chars = titles.reduce((s, t) => s + t.length, 0) / titles.length;
  console.log(JSON.stringify({ data: file, titles: titles.length, meanChars: Number(chars.toFixed(1)), runtime, quantized }));
  let single: Float32Array[] | null = null;
  for (const batchSize of sizes) {
    const e = await createEmbedder({ modelId: 'Xenova/all-MiniLM-L6-v2', modelDir: 'models', allowRemote: false, batchSize, runtime, quantized, log: () => undefined });
    await e.embed(titles.slice(0, Math.max(batchSize, 8))); // warm-up: first runs allocate
    let best = Infinity;
    let bestCpu = Infinity;
    let out: Float32Array[] = [];
    for (let rep = 0; rep < 3; rep++) {
      const c0 = cpuMs(e.pid);
      const t0 = performance.now();
      out = await e.embed(titles);
      best = Math.min(best, performance.now() - t0);
      bestCpu = Math.min(bestCpu, cpuMs(e.pid) - c0);
    }
    if (batchSize === 1) single = out;
    let maxDiff = 0;
    if (single) for (let i = 0; i < out.length; i++) for (let j = 0; j < e.dim; j++) maxDiff = Math.max(maxDiff, Math.abs(out[i][j] - single[i][j]));
    console.log(JSON.stringify({ batchSize, runtime: e.runtime, ms: Math.round(best), cpuMs: Math.round(bestCpu), textsPerSec: Math.round((titles.length / best) * 1000), maxAbsDiffVsOneByOne: single ? Number(maxDiff.toExponential(2)) : null }));
    await e.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
