/**
 * The network of the global LSTM, written with tfjs ops rather than tf.layers: examples are columns
 * (X is [features, batch]) and each gate has its own weights, so no step slices a strided tensor.
 * On the wasm backend this runs inference ~8x faster than tf.layers.lstm (whose per-step unstack
 * and gate slices dominate), which is what makes >= 5,000 products/s possible on one core.
 *
 *   seq (lookback x [F, B]) -> LSTM(hidden) -> h
 *   trunk  = relu(W1 [h; static] + b1)                (shared by both tasks)
 *   rating = Wr trunk + br                            (auxiliary head, masked loss)
 *   z      = relu(W2 [trunk; reviews] + b2)
 *   raw    = Wo z + bo -> [3H, B] = (m, b, c) per step
 *   p50 = m + k * profile(step), p10 = p50 - softplus(b), p90 = p50 + softplus(c)
 * profile(step) is the product's own mean scaled demand on that step's weekday over the last 8 weeks
 * (a static input): a skip connection that hands the head the weekly pattern and level it would
 * otherwise need thousands of steps to learn from a weekday one-hot; the network learns corrections.
 *
 * With `residual` (the default since session 3) the head corrects the ses baseline instead
 * (baseline.ts, an input `base` of 3 x H rows): raw = Wo z + bo -> [6H, B] and
 * p_q = base_q * (1 + r) + a (see residualHead). Wo and bo start at zero, so the untrained network
 * IS calibrated ses; the quantiles are not ordered by construction, inference sorts them.
 */
import * as tf from '@tensorflow/tfjs';

export interface NetShape {
  seqFeatures: number;
  /** Row of the static input where the 7 weekday means (log1p of scaled demand) start. */
  profileRow: number;
  staticDims: number;
  reviewDims: number;
  hidden: number;
  dense: number;
  horizon: number;
  /** Corrections of the ses baseline (see above); absent in artifacts of format 1. */
  residual?: boolean;
  /** Static row of the cold-start flag (residual head; see residualHead). */
  coldRow?: number;
  /** Established examples: r50, a50 correct all three quantiles (the ses fan is scaled and shifted, not reshaped). */
  sharedCorrection?: boolean;
  /** Established examples: relative corrections only, no absolute a_q. */
  coldOnlyAbsolute?: boolean;
}

export type Params = Record<string, tf.Variable>;
const GATES = ['i', 'f', 'o', 'u'] as const;

function glorot(rows: number, cols: number, seed: number): tf.Tensor {
  const lim = Math.sqrt(6 / (rows + cols));
  return tf.randomUniform([rows, cols], -lim, lim, 'float32', seed);
}

/**
 * Fresh parameters. The record keys are the stable weight names of the artifact; the tf variables
 * themselves stay unnamed, since tfjs refuses two variables of one name and a process may hold
 * several models (old and new version, with and without text).
 */
export function initParams(s: NetShape, seed: number): Params {
  const p: Params = {};
  let k = seed;
  for (const g of GATES) {
    p[`lstm_wx_${g}`] = tf.variable(glorot(s.hidden, s.seqFeatures, k++));
    p[`lstm_wh_${g}`] = tf.variable(glorot(s.hidden, s.hidden, k++));
    // Forget-gate bias 1: the usual trick so early gradients flow through the whole lookback.
    p[`lstm_b_${g}`] = tf.variable(tf.fill([s.hidden, 1], g === 'f' ? 1 : 0));
  }
  const dense = (name: string, out: number, inp: number) => {
    p[`${name}_w`] = tf.variable(glorot(out, inp, k++));
    p[`${name}_b`] = tf.variable(tf.zeros([out, 1]));
  };
  dense('trunk', s.dense, s.hidden + s.staticDims);
  dense('rating', 1, s.dense);
  dense('head', s.dense, s.dense + s.reviewDims);
  if (s.residual) {
    // Zero: the untrained network IS ses. (Cold rows drawn at random instead, tried in a full
    // backtest: new-product WQL 0.9228 against 0.8954, established 0.6788 against 0.6776.)
    p.out_w = tf.variable(tf.zeros([6 * s.horizon, s.dense]));
    p.out_b = tf.variable(tf.zeros([6 * s.horizon, 1]));
    return p;
  }
  dense('out', 3 * s.horizon, s.dense);
  p.profile_k = tf.variable(tf.ones([1, 1]));
  return p;
}

const tanh = (x: tf.Tensor): tf.Tensor => tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1); // tanh is slow on wasm; sigmoid is not

export interface NetOutput {
  p10: tf.Tensor2D;
  p50: tf.Tensor2D;
  p90: tf.Tensor2D;
  rating: tf.Tensor2D;
}

function lstm(p: Params, seq: tf.Tensor2D[], hidden: number): tf.Tensor2D {
  const n = seq[0].shape[1];
  let h = tf.zeros([hidden, n]) as tf.Tensor2D;
  let c = tf.zeros([hidden, n]) as tf.Tensor2D;
  for (const x of seq) {
    const z = (g: string) => tf.add(tf.add(tf.matMul(p[`lstm_wx_${g}`], x), tf.matMul(p[`lstm_wh_${g}`], h)), p[`lstm_b_${g}`]);
    const i = tf.sigmoid(z('i'));
    const f = tf.sigmoid(z('f'));
    const o = tf.sigmoid(z('o'));
    const u = tanh(z('u'));
    c = tf.add(tf.mul(f, c), tf.mul(i, u)) as tf.Tensor2D;
    h = tf.mul(o, tanh(c)) as tf.Tensor2D;
  }
  return h;
}

const affine = (p: Params, name: string, x: tf.Tensor): tf.Tensor2D => tf.add(tf.matMul(p[`${name}_w`], x as tf.Tensor2D), p[`${name}_b`]) as tf.Tensor2D;

/** [H, staticDims] 0/1 matrix picking, for step h, the weekday mean of position h mod 7. */
function weekdaySelector(s: NetShape): tf.Tensor2D {
  const m = new Float32Array(s.horizon * s.staticDims);
  for (let h = 0; h < s.horizon; h++) m[h * s.staticDims + s.profileRow + (h % 7)] = 1;
  return tf.tensor2d(m, [s.horizon, s.staticDims]);
}

/**
 * p_q = base_q * (1 + r) + a for the three quantiles (base: [3H, B], raw: [6H, B] = r_q, a_q).
 * Established examples use r_q, a_q, or with sharedCorrection r50 for every quantile and a50 for
 * p50 and p90 (or no a at all with coldOnlyAbsolute); cold examples (no base) use their own a_q.
 */
function residualHead(s: NetShape, raw: tf.Tensor2D, base: tf.Tensor2D, stat: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D] {
  const n = raw.shape[1];
  const H = s.horizon;
  const rows = (k: number) => tf.slice(raw, [k * H, 0], [H, n]);
  const cold = tf.slice(stat, [s.coldRow ?? 0, 0], [1, n]);
  const q = (k: number) => {
    const j = s.sharedCorrection ? 1 : k;
    const b = tf.slice(base, [k * H, 0], [H, n]);
    const own = rows(3 + k);
    // Shared: p10 gets no shift, or a small positive one lifts every p10 of 0 for free in pinball
    // terms and uncovers all zero days (coverage 0.56 against 0.92 measured on 2 windows).
    const none = s.coldOnlyAbsolute || (s.sharedCorrection && k === 0);
    const estA = none ? tf.zerosLike(own) : rows(3 + j);
    const a = j === k && !none ? own : tf.add(estA, tf.mul(cold, tf.sub(own, estA)));
    return tf.add(tf.add(b, tf.mul(b, rows(j))), a) as tf.Tensor2D;
  };
  return [q(0), q(1), q(2)];
}

/** Forward pass; call inside tf.tidy or optimizer.minimize. `base` is required for a residual shape. */
export function forward(p: Params, s: NetShape, seq: tf.Tensor2D[], stat: tf.Tensor2D, rev: tf.Tensor2D, base?: tf.Tensor2D): NetOutput {
  const trunk = trunkOf(p, lstm(p, seq, s.hidden), stat);
  return { ...quantiles(p, s, trunk, stat, rev, base), rating: affine(p, 'rating', trunk) };
}

type Quantiles = Pick<NetOutput, 'p10' | 'p50' | 'p90'>;

const trunkOf = (p: Params, h: tf.Tensor2D, stat: tf.Tensor2D) => tf.relu(affine(p, 'trunk', tf.concat([h, stat], 0)));

/** The quantile head, from the trunk. */
function quantiles(p: Params, s: NetShape, trunk: tf.Tensor2D, stat: tf.Tensor2D, rev: tf.Tensor2D, base?: tf.Tensor2D): Quantiles {
  const raw = affine(p, 'out', tf.relu(affine(p, 'head', tf.concat([trunk, rev], 0))));
  const n = raw.shape[1];
  const H = s.horizon;
  if (s.residual) {
    if (!base) throw new Error('forward: a residual network needs the base quantiles');
    const [p10, p50, p90] = residualHead(s, raw, base, stat);
    return { p10, p50, p90 };
  }
  const profile = tf.expm1(tf.matMul(weekdaySelector(s), stat));
  const p50 = tf.add(tf.slice(raw, [0, 0], [H, n]), tf.mul(p.profile_k, profile)) as tf.Tensor2D;
  const p10 = tf.sub(p50, tf.softplus(tf.slice(raw, [H, 0], [H, n]))) as tf.Tensor2D;
  const p90 = tf.add(p50, tf.softplus(tf.slice(raw, [2 * H, 0], [H, n]))) as tf.Tensor2D;
  return { p10, p50, p90 };
}

/**
 * The recurrence laid out for inference: examples are rows (x_t is [B, F]) and each gate's
 * [Wx Wh] is transposed to [F + hidden, hidden]. tfjs-wasm runs a matMul through XNNPACK with its
 * SECOND operand as the packed, cached weights; forward()'s W x puts the data there, so every step
 * repacks x and h. Here the weights are second, packed once per call, with the bias and the sigmoid
 * fused in. The u gate's weights are doubled so that its tanh is 2 sigmoid(2z) - 1 from the same
 * fused op. ~25% less CPU for the recurrence at batches of 500, ~15-20% for the whole network
 * (bench/lstm-inference.ts); two matMuls per gate instead of the concat (a row-by-row copy in JS on
 * tfjs-wasm), or one matMul for all gates and column slices, were slower. The head after the
 * recurrence runs once per batch and stays as forward() has it. Training keeps forward(): its
 * gradients are transposed matMuls, which tfjs-wasm does not send to XNNPACK in either layout.
 */
export interface InferenceWeights {
  gates: { w: tf.Tensor2D; b: tf.Tensor1D }[];
}

export function inferenceWeights(p: Params): InferenceWeights {
  const gate = (g: string) => {
    const k = g === 'u' ? 2 : 1;
    return tf.tidy(() => ({
      w: tf.mul(tf.transpose(tf.concat([p[`lstm_wx_${g}`], p[`lstm_wh_${g}`]], 1)), k) as tf.Tensor2D,
      b: tf.mul(tf.reshape(p[`lstm_b_${g}`], [-1]), k) as tf.Tensor1D,
    }));
  };
  return { gates: GATES.map(gate) };
}

export function disposeInferenceWeights(w: InferenceWeights): void {
  for (const g of w.gates) tf.dispose([g.w, g.b]);
}

/** p10/p50/p90 as forward() gives them (to float rounding), from seqRows: lookback x [B, F]. Call inside tf.tidy. */
export function predict(p: Params, w: InferenceWeights, s: NetShape, seqRows: tf.Tensor2D[], stat: tf.Tensor2D, rev: tf.Tensor2D, base?: tf.Tensor2D): Quantiles {
  const n = seqRows[0].shape[0];
  let h = tf.zeros([n, s.hidden]) as tf.Tensor2D;
  let c = tf.zeros([n, s.hidden]) as tf.Tensor2D;
  for (const x of seqRows) {
    const xh = tf.concat([x, h], 1) as tf.Tensor2D;
    const [i, f, o, u2] = w.gates.map((g) => tf.fused.matMul({ a: xh, b: g.w, bias: g.b, activation: 'sigmoid' }));
    c = tf.add(tf.mul(f, c), tf.mul(i, tf.sub(tf.mul(u2, 2), 1))) as tf.Tensor2D;
    h = tf.mul(o, tanh(c)) as tf.Tensor2D;
  }
  return quantiles(p, s, trunkOf(p, tf.transpose(h), stat), stat, rev, base);
}

/** Mean over examples of weight * (mean over steps and quantiles of the pinball loss). */
export function quantileLoss(out: NetOutput, target: tf.Tensor2D, weight: tf.Tensor2D): tf.Scalar {
  const one = (pred: tf.Tensor2D, q: number) => {
    const e = tf.sub(target, pred);
    return tf.maximum(tf.mul(e, q), tf.mul(e, q - 1));
  };
  const per = tf.add(tf.add(one(out.p10, 0.1), one(out.p50, 0.5)), one(out.p90, 0.9));
  const perExample = tf.div(tf.sum(per, 0, true), 3 * target.shape[0]);
  return tf.mean(tf.mul(perExample, weight)) as tf.Scalar;
}

/** Squared error of the rating head over the examples that have reviews (0 when none do). */
export function ratingLoss(out: NetOutput, rating: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  const se = tf.mul(tf.square(tf.sub(out.rating, rating)), mask);
  return tf.div(tf.sum(se), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
}
