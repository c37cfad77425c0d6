/**
 * network.predict (the inference layout: examples as rows, fused gate matMuls) must give what
 * forward() (the training layout) gives, to float32 rounding, for every head shape the artifacts use.
 * The weights are random, the output layer too, so the recurrence and the head both count. Both
 * JS-side backends, since predict leans on the fused matMul with a sigmoid (wasm's default, cpu).
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../shared/ml/backend';
import { disposeInferenceWeights, forward, inferenceWeights, initParams, predict, type NetShape } from '../../../shared/ml/network';

const base: NetShape = { seqFeatures: 5, profileRow: 2, staticDims: 12, reviewDims: 3, hidden: 8, dense: 16, horizon: 9 };
const shapes: [string, NetShape][] = [
  ['residual head', { ...base, residual: true, coldRow: 1 }],
  ['residual head, shared correction', { ...base, residual: true, coldRow: 1, sharedCorrection: true }],
  ['format-1 head (weekday profile)', base],
];

describe.each(['wasm', 'cpu'])('network.predict against forward on the %s backend', (backend) => {
  beforeAll(() => initBackend(backend));

  it.each(shapes)('%s: the same quantiles, to float32 rounding', (_name, s) => {
    const B = 37;
    const lookback = 6;
    const p = initParams(s, 11);
    // initParams zeroes the residual output layer; draw it so the head's corrections are not zero.
    p.out_w.assign(tf.randomNormal(p.out_w.shape, 0, 0.3, 'float32', 5));
    p.out_b.assign(tf.randomNormal(p.out_b.shape, 0, 0.3, 'float32', 6));
    const seq = Array.from({ length: lookback }, (_, t) => tf.randomNormal([s.seqFeatures, B], 0, 1, 'float32', 100 + t) as tf.Tensor2D);
    const stat = tf.randomUniform([s.staticDims, B], 0, 1, 'float32', 7) as tf.Tensor2D;
    const rev = tf.randomNormal([s.reviewDims, B], 0, 1, 'float32', 8) as tf.Tensor2D;
    const bq = tf.randomUniform([3 * s.horizon, B], 0, 4, 'float32', 9) as tf.Tensor2D;
    const w = inferenceWeights(p);
    const [ref, got] = tf.tidy(() => {
      const f = forward(p, s, seq, stat, rev, s.residual ? bq : undefined);
      const r = predict(p, w, s, seq.map((x) => tf.transpose(x) as tf.Tensor2D), stat, rev, s.residual ? bq : undefined);
      return [tf.stack([f.p10, f.p50, f.p90]), tf.stack([r.p10, r.p50, r.p90])];
    });
    expect(got.shape).toEqual([3, s.horizon, B]);
    const a = ref.dataSync();
    const g = got.dataSync();
    let worst = 0;
    let spread = 0;
    for (let i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - g[i]) / (1 + Math.abs(a[i])));
      spread = Math.max(spread, Math.abs(a[i] - a[0]));
    }
    expect(spread).toBeGreaterThan(0.1); // the outputs vary: the comparison is not of constants
    expect(worst).toBeLessThan(1e-5);
    disposeInferenceWeights(w);
    tf.dispose([ref, got, ...seq, stat, rev, bq, ...Object.values(p)]);
  });
});
