/**
 * Training of the global LSTM: random windows across all products each epoch (fresh windows every
 * epoch, so ~2,500 products give far more distinct examples than epochs x products), plus cold-start
 * examples (a product seen just before its first sale, forecasting its launch weeks from text and
 * price). Loss weights grow with the product's scale (weightPower), because WQL sums pinball losses
 * in units: big sellers matter more, but a power below 1 keeps a few of them from drowning the rest.
 */
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../forecasting/series';
import { Batch, FeatureConfig, Prepared, Scalers, allocBatch, dayAt, writeExample } from './features';
import { NetShape, Params, forward, quantileLoss, ratingLoss } from './network';

export interface TrainSettings {
  epochs: number;
  batchSize: number;
  samplesPerEpoch: number;
  learningRate: number;
  coldShare: number;
  ratingWeight: number;
  weightPower: number;
  /** Share of established examples drawn from the most recent `recentDays` origins. */
  recentShare: number;
  recentDays: number;
  seed: number;
}

export interface Example {
  p: Prepared;
  o: number;
}

/** Which origins each product can offer, with `holdout` days at the end kept out of every target. */
export class WindowSampler {
  private readonly est: { p: Prepared; lo: number; hi: number }[] = [];
  private readonly cold: { p: Prepared; lo: number; hi: number }[] = [];

  /**
   * A series whose first sale falls in the first `launchGuard` days of the data most likely sold
   * before the data begins: its "first sale" is no launch, so it gives no cold-start example.
   */
  constructor(ps: Prepared[], horizon: number, holdout: number, launchGuard = 14) {
    let dataStart = Infinity;
    for (const p of ps) if (p.first < p.values.length) dataStart = Math.min(dataStart, dayAt(p, 0));
    for (const p of ps) {
      if (p.first >= p.values.length) continue;
      const hi = p.values.length - 1 - horizon - holdout;
      if (hi >= p.first) this.est.push({ p, lo: p.first, hi });
      // Cold origins: before the first sale, with the first sale inside the horizon.
      const cHi = Math.min(p.first - 1, hi);
      const cLo = p.first - horizon;
      if (cHi >= cLo && dayAt(p, p.first) >= dataStart + launchGuard) this.cold.push({ p, lo: cLo, hi: cHi });
    }
  }

  get sizes(): { established: number; cold: number } {
    return { established: this.est.length, cold: this.cold.length };
  }

  draw(rand: () => number, s: TrainSettings): Example {
    const useCold = this.cold.length > 0 && (this.est.length === 0 || rand() < s.coldShare);
    const pool = useCold ? this.cold : this.est;
    if (pool.length === 0) throw new Error('no training windows: every series is shorter than the horizon');
    const w = pool[Math.floor(rand() * pool.length)];
    let lo = w.lo;
    if (!useCold && rand() < s.recentShare) lo = Math.max(w.lo, w.hi - s.recentDays + 1);
    return { p: w.p, o: lo + Math.floor(rand() * (w.hi - lo + 1)) };
  }
}

export function fillBatch(examples: Example[], cfg: FeatureConfig, sc: Scalers, power: number, withTarget: boolean): Batch {
  const b = allocBatch(examples.length, cfg);
  examples.forEach((e, i) => writeExample(b, i, e.p, e.o, cfg, sc, withTarget));
  let sum = 0;
  for (let i = 0; i < b.n; i++) sum += (b.weight[i] = Math.pow(b.scale[i], power));
  for (let i = 0; i < b.n; i++) b.weight[i] *= b.n / sum;
  return b;
}

export interface BatchTensors {
  seq: tf.Tensor2D[];
  stat: tf.Tensor2D;
  rev: tf.Tensor2D;
  base: tf.Tensor2D;
}

export function inputTensors(b: Batch, cfg: FeatureConfig, seqF: number, statF: number, revF: number): BatchTensors {
  const n = b.n;
  const seq: tf.Tensor2D[] = [];
  for (let t = 0; t < cfg.lookback; t++) seq.push(tf.tensor2d(b.seq.subarray(t * seqF * n, (t + 1) * seqF * n), [seqF, n]));
  return { seq, stat: tf.tensor2d(b.stat, [statF, n]), rev: tf.tensor2d(b.rev, [revF, n]), base: tf.tensor2d(b.base, [3 * cfg.horizon, n]) };
}

/** inputTensors for network.predict: each step's sequence features as rows, [n, seqF] (b.seq holds [seqF, n] per step). */
export function inferenceInputs(b: Batch, cfg: FeatureConfig, seqF: number, statF: number, revF: number): BatchTensors {
  const n = b.n;
  const seq: tf.Tensor2D[] = [];
  const rows = new Float32Array(n * seqF);
  for (let t = 0; t < cfg.lookback; t++) {
    const at = t * seqF * n;
    for (let f = 0; f < seqF; f++) for (let i = 0; i < n; i++) rows[i * seqF + f] = b.seq[at + f * n + i];
    seq.push(tf.tensor2d(rows, [n, seqF]));
  }
  return { seq, stat: tf.tensor2d(b.stat, [statF, n]), rev: tf.tensor2d(b.rev, [revF, n]), base: tf.tensor2d(b.base, [3 * cfg.horizon, n]) };
}

export function disposeInputs(x: BatchTensors): void {
  tf.dispose([...x.seq, x.stat, x.rev, x.base]);
}

/** One optimisation step; returns the quantile loss. */
async function step(opt: tf.Optimizer, p: Params, shape: NetShape, b: Batch, cfg: FeatureConfig, s: TrainSettings): Promise<number> {
  const x = inputTensors(b, cfg, shape.seqFeatures, shape.staticDims, shape.reviewDims);
  const y = tf.tensor2d(b.target, [cfg.horizon, b.n]);
  const w = tf.tensor2d(b.weight, [1, b.n]);
  const r = tf.tensor2d(b.rating, [1, b.n]);
  const m = tf.tensor2d(b.ratingMask, [1, b.n]);
  let ql = 0;
  const loss = opt.minimize(() => {
    const out = forward(p, shape, x.seq, x.stat, x.rev, x.base);
    const q = quantileLoss(out, y, w);
    return tf.add(q, tf.mul(ratingLoss(out, r, m), s.ratingWeight)) as tf.Scalar;
  }, true);
  ql = (await loss!.data())[0];
  tf.dispose([loss!, y, w, r, m]);
  disposeInputs(x);
  return ql;
}

export interface EpochReport {
  epoch: number;
  loss: number;
  seconds: number;
}

/**
 * Runs `epochs` epochs over the sampler with a cosine learning-rate decay. `onStep(done, total)`
 * drives progress bars; `onEpoch` gets the mean training loss.
 */
export async function trainLoop(
  p: Params,
  shape: NetShape,
  cfg: FeatureConfig,
  sc: Scalers,
  sampler: WindowSampler,
  s: TrainSettings,
  onStep?: (done: number, total: number) => void,
  onEpoch?: (r: EpochReport) => void,
): Promise<EpochReport[]> {
  const rand = mulberry32(s.seed);
  const opt = tf.train.adam(s.learningRate);
  const steps = Math.max(1, Math.ceil(s.samplesPerEpoch / s.batchSize));
  const total = steps * s.epochs;
  const reports: EpochReport[] = [];
  let done = 0;
  for (let e = 0; e < s.epochs; e++) {
    const t0 = Date.now();
    let sum = 0;
    for (let k = 0; k < steps; k++) {
      (opt as unknown as { learningRate: number }).learningRate = s.learningRate * (0.1 + 0.9 * 0.5 * (1 + Math.cos((Math.PI * done) / total)));
      const ex = Array.from({ length: s.batchSize }, () => sampler.draw(rand, s));
      sum += await step(opt, p, shape, fillBatch(ex, cfg, sc, s.weightPower, true), cfg, s);
      onStep?.(++done, total);
    }
    const r = { epoch: e + 1, loss: sum / steps, seconds: (Date.now() - t0) / 1000 };
    reports.push(r);
    onEpoch?.(r);
  }
  opt.dispose();
  return reports;
}
