/**
 * The LSTM's inference kernels (issue 3, worker speed): network.predict (examples as rows, each
 * gate one fused matMul with the weights as XNNPACK's packed operand) against forward() (the
 * training layout, whose W x packs the data at every step), on the newest artifact's weights and
 * shapes, in turns within one process. Inputs are random (the kernels' cost does not depend on the
 * values). Prints CPU ms per batch (median of the rounds), products/s and the largest difference.
 *
 *   npx tsx bench/lstm-inference.ts [--batch 500] [--rounds 7] [--artifacts artifacts/lstm]
 */
import * as tf from '@tensorflow/tfjs';
import { loadLatest } from '../shared/ml/artifact';
import { initBackend } from '../shared/ml/backend';
import { disposeInferenceWeights, forward, inferenceWeights, predict } from '../shared/ml/network';

const arg = (name: string, def: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : def);
const B = Number(arg('--batch', '500'));
const ROUNDS = Number(arg('--rounds', '7'));
const DIR = arg('--artifacts', 'artifacts/lstm');
const PER_ROUND = 10;

async function main() {
  const backend = await initBackend(process.env.TFJS_BACKEND ?? 'wasm');
  const art = await loadLatest(DIR);
  if (!art) throw new Error(`no LSTM artifact under ${DIR}: run bin/trendcast train --out artifacts first`);
  const { shape: s, features: f } = art.model.metadata;
  const params = art.model.weights() as Parameters<typeof forward>[0];
  const seq = Array.from({ length: f.lookback }, (_, t) => tf.randomUniform([s.seqFeatures, B], 0, 1, 'float32', t) as tf.Tensor2D);
  const rows = seq.map((x) => tf.transpose(x) as tf.Tensor2D);
  const stat = tf.randomUniform([s.staticDims, B], 0, 1, 'float32', 90) as tf.Tensor2D;
  const rev = tf.randomUniform([s.reviewDims, B], 0, 1, 'float32', 91) as tf.Tensor2D;
  const base = tf.randomUniform([3 * s.horizon, B], 0, 3, 'float32', 92) as tf.Tensor2D;
  const kernels = {
    'forward() (training layout)': () => {
      const r = forward(params, s, seq, stat, rev, base);
      return [r.p10, r.p50, r.p90];
    },
    'predict() (inference layout)': () => {
      const w = inferenceWeights(params); // per call, as GlobalLstmModel does
      const r = predict(params, w, s, rows, stat, rev, base);
      const out = [r.p10, r.p50, r.p90].map((t) => tf.keep(t));
      disposeInferenceWeights(w);
      return out;
    },
  };
  const once = async (k: () => tf.Tensor[]) => {
    const ys = tf.tidy(k);
    const d = await Promise.all(ys.map((t) => t.data()));
    tf.dispose(ys);
    return d as Float32Array[];
  };
  const [a, b] = [await once(kernels['forward() (training layout)']), await once(kernels['predict() (inference layout)'])];
  let worst = 0;
  a.forEach((q, j) => q.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[j][i]) / (1 + Math.abs(v))))));
  const ms: Record<string, number[]> = {};
  for (const k of Object.values(kernels)) for (let i = 0; i < 3; i++) await once(k); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, k] of Object.entries(kernels)) {
      const c0 = process.cpuUsage();
      for (let i = 0; i < PER_ROUND; i++) await once(k);
      const c = process.cpuUsage(c0);
      (ms[name] ??= []).push((c.user + c.system) / 1000 / PER_ROUND);
    }
  }
  const median = (x: number[]) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)];
  console.log(`artifact ${art.version}: lookback ${f.lookback}, hidden ${s.hidden}, dense ${s.dense}, horizon ${s.horizon}; backend ${backend.backend}; batch ${B}; ${ROUNDS} rounds of ${PER_ROUND} batches each, in turns`);
  console.log('| kernel | CPU ms per batch (median) | range | products/s of CPU |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const [name, v] of Object.entries(ms)) {
    const m = median(v);
    console.log(`| ${name} | ${m.toFixed(1)} | ${Math.min(...v).toFixed(1)}-${Math.max(...v).toFixed(1)} | ${Math.round((B / m) * 1000).toLocaleString('en-US')} |`);
  }
  const [fm, pm] = Object.values(ms).map(median);
  console.log(`predict/forward CPU: ${(pm / fm).toFixed(3)}; largest difference |a-b|/(1+|a|): ${worst.toExponential(2)}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
