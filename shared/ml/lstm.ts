/**
 * GlobalLstmModel: one LSTM trained across all products (see network.ts for the architecture and
 * features.ts for the inputs). Direct multi-horizon p10/p50/p90 for H steps; an auxiliary rating
 * head trained where reviews exist. By default (residual, format 2) the network corrects calibrated
 * ses (baseline.ts): untrained it forecasts exactly what ses does, so training learns what ses
 * misses rather than each product's level (the ES-RNN idea; BENCHMARKS.md "LSTM rework"). Products
 * with no sales (cold start, empty or all-zero history) are forecast from price, text and calendar.
 */
import * as tf from '@tensorflow/tfjs';
import { setOrdered, type FitOptions, type ForecastModel, type QuantileForecast, type SeriesInput } from '../forecasting/model';
import { wql } from '../backtest/metrics';
import { seasonalNaiveBaseline } from '../backtest/baselines';
import type { Logger } from '../log';
import { COLD_ROW, FeatureConfig, PROFILE_ROW, Prepared, REVIEW_FEATURES, SEQ_FEATURES, Scalers, fitScalers, prepare, staticDims } from './features';
import { InferenceWeights, NetShape, Params, disposeInferenceWeights, inferenceWeights, initParams, predict } from './network';
import { EpochReport, Example, TrainSettings, WindowSampler, disposeInputs, fillBatch, inferenceInputs, trainLoop } from './lstm-train';
import { fitPca } from './pca';
import { learnSesCalibration } from './baseline';
import { ensureBackend } from './backend';

export interface LstmOptions extends Partial<TrainSettings> {
  name?: string;
  useText?: boolean;
  textDims?: number;
  lookback?: number;
  horizon?: number;
  hidden?: number;
  dense?: number;
  scaleDays?: number;
  /** Learn corrections of calibrated ses (baseline.ts) instead of the whole forecast (default true). */
  residual?: boolean;
  /** Residual only: absolute corrections for cold-start examples only (established: relative ones). */
  coldOnlyAbsolute?: boolean;
  /** Residual only: one correction for all quantiles (see NetShape.sharedCorrection). */
  sharedCorrection?: boolean;
  /** Residual only: inputs and outputs over 1 + the ses level at the origin (not 1 + the 56-day mean). */
  sesScale?: boolean;
  /** Hold out the last `horizon` days to measure validation metrics, then fine-tune on everything. */
  validate?: boolean;
  finetuneEpochs?: number;
  log?: Logger;
  onEpoch?: (r: EpochReport & { phase: 'train' | 'finetune' }) => void;
}

export interface ValidationMetrics {
  origin: 'last horizon of the training data';
  established: { products: number; wql: number; seasonalNaiveWql: number };
  cold: { products: number; wql: number };
}

export interface LstmMeta {
  format: 'trendcast-global-lstm';
  /** 2: residual on the ses baseline (shape.residual, scalers.ses); 1: the older head, still loadable. */
  formatVersion: 1 | 2;
  name: string;
  useText: boolean;
  features: FeatureConfig & { seqFeatures: string[]; staticFeatures: string[]; reviewFeatures: string[] };
  shape: NetShape;
  scalers: Scalers;
  train: TrainSettings & { finetuneEpochs: number };
  training?: { products: number; windows: { established: number; cold: number }; epochs: EpochReport[]; seconds: number; lastDay?: string };
  validation?: ValidationMetrics;
}

const DEFAULTS = {
  textDims: 12,
  // 28 measured as good as 56 on Online Retail (WQL within noise) at half the training and inference cost.
  lookback: 28,
  horizon: 28,
  hidden: 32,
  dense: 64,
  scaleDays: 56,
  residual: true,
  sharedCorrection: true,
  validate: true,
  finetuneEpochs: 1,
};
const TRAIN_DEFAULTS: TrainSettings = {
  epochs: 6,
  batchSize: 256,
  samplesPerEpoch: 12288,
  learningRate: 3e-3,
  coldShare: 0.3,
  ratingWeight: 0.2,
  // 1 = loss in units, as WQL weighs it (0.5 measured worse on Online Retail: 0.6557 vs 0.6508 at 2011-11-06).
  weightPower: 1,
  // Residual head, 2 windows (08-14, 11-06): all recent (1, 42 days) 0.6586 against 0.5 / 91 days 0.6591.
  recentShare: 1,
  recentDays: 42,
  seed: 1,
};
const CHUNK = 8192;

function featureNames(textDims: number): Pick<LstmMeta['features'], 'seqFeatures' | 'staticFeatures' | 'reviewFeatures'> {
  const wd = (p: string) => Array.from({ length: 7 }, (_, k) => `${p}${k}`);
  return {
    seqFeatures: ['log1p_scaled', 'scaled_clip5', 'padding', ...wd('weekday_')],
    staticFeatures: [...wd('step1_weekday_'), 'log_scale_z', 'log_price_z', 'cold', 'log_age', ...wd('wd_mean_'), ...wd('wd_nonzero_'), 'log1p_ses_level', 'log1p_ses_shape_p10', 'log1p_ses_shape_p50', 'log1p_ses_shape_p90', ...Array.from({ length: textDims }, (_, k) => `text_pc${k + 1}`)],
    reviewFeatures: ['log1p_review_count', 'rating_z', 'has_reviews'],
  };
}

export class GlobalLstmModel implements ForecastModel {
  readonly name: string;
  private readonly opts: LstmOptions;
  private params?: Params;
  private meta?: LstmMeta;

  constructor(opts: LstmOptions = {}) {
    this.opts = opts;
    this.name = opts.name ?? (opts.useText === false ? 'lstm_notext' : 'lstm');
  }

  /** Metadata of the fitted (or loaded) model. */
  get metadata(): LstmMeta {
    if (!this.meta) throw new Error(`${this.name}: not fitted`);
    return this.meta;
  }

  async fit(train: SeriesInput[], fo: FitOptions): Promise<void> {
    const t0 = Date.now();
    await ensureBackend(this.opts.log);
    const o = { ...DEFAULTS, ...this.opts, horizon: fo.horizon ?? this.opts.horizon ?? DEFAULTS.horizon };
    const s: TrainSettings = { ...TRAIN_DEFAULTS, ...pickTrain(this.opts) };
    const ps = train.map(prepare);
    const cfg: FeatureConfig = { lookback: o.lookback, horizon: o.horizon, scaleDays: o.scaleDays, textDims: 0, ...(o.residual && o.sesScale ? { sesScale: true } : {}) };
    const scalers = fitScalers(ps, cfg, o.horizon);
    // Learned on the full training data: with `validate`, the held-out days also shape these 24
    // global multipliers (not the network), so the validation WQL is a little optimistic.
    if (o.residual) scalers.ses = learnSesCalibration(train);
    if (this.opts.useText !== false) {
      const embs = ps.map((p) => p.input.embedding).filter((e): e is Float32Array => e !== undefined);
      if (embs.length >= 2) {
        scalers.pca = fitPca(embs, o.textDims, s.seed);
        cfg.textDims = scalers.pca.k;
      } else o.log?.warn('lstm: no embeddings in the training data; training without text', { model: this.name });
    }
    const shape: NetShape = { seqFeatures: SEQ_FEATURES, profileRow: PROFILE_ROW, staticDims: staticDims(cfg), reviewDims: REVIEW_FEATURES, hidden: o.hidden, dense: o.dense, horizon: o.horizon, residual: o.residual };
    if (o.residual) Object.assign(shape, { coldRow: COLD_ROW, ...(o.sharedCorrection ? { sharedCorrection: true } : {}), ...(o.coldOnlyAbsolute ? { coldOnlyAbsolute: true } : {}) });
    this.disposeParams();
    this.params = initParams(shape, s.seed);
    const meta: LstmMeta = {
      format: 'trendcast-global-lstm', formatVersion: o.residual ? 2 : 1, name: this.name, useText: cfg.textDims > 0,
      features: { ...cfg, ...featureNames(cfg.textDims) }, shape, scalers, train: { ...s, finetuneEpochs: o.finetuneEpochs },
    };
    this.meta = meta;
    const phases: { holdout: number; epochs: number; lr: number; phase: 'train' | 'finetune' }[] = o.validate
      ? [{ holdout: o.horizon, epochs: s.epochs, lr: s.learningRate, phase: 'train' }, { holdout: 0, epochs: o.finetuneEpochs, lr: s.learningRate * 0.3, phase: 'finetune' }]
      : [{ holdout: 0, epochs: s.epochs, lr: s.learningRate, phase: 'train' }];
    const totalSteps = phases.reduce((a, ph) => a + ph.epochs, 0) * Math.ceil(s.samplesPerEpoch / s.batchSize);
    let before = 0;
    const reports: EpochReport[] = [];
    let windows = { established: 0, cold: 0 };
    for (const ph of phases) {
      if (ph.epochs <= 0) continue;
      const sampler = new WindowSampler(ps, o.horizon, ph.holdout);
      if (ph.holdout === 0 || windows.established === 0) windows = sampler.sizes;
      const settings = { ...s, epochs: ph.epochs, learningRate: ph.lr, seed: s.seed + before };
      const rs = await trainLoop(this.params, shape, cfg, scalers, sampler, settings, (d) => fo.onProgress?.((before + d) / totalSteps), (r) => {
        o.log?.info('lstm epoch', { model: this.name, phase: ph.phase, ...r });
        this.opts.onEpoch?.({ ...r, phase: ph.phase });
      });
      before += rs.length * Math.ceil(s.samplesPerEpoch / s.batchSize);
      reports.push(...rs);
      if (ph.phase === 'train' && o.validate) meta.validation = await this.validate(ps, o.horizon);
    }
    meta.training = { products: ps.length, windows, epochs: reports, seconds: (Date.now() - t0) / 1000 };
  }

  /** WQL on the last horizon of the training data (held out of phase 1), beside seasonal naive. */
  private async validate(ps: Prepared[], H: number): Promise<ValidationMetrics> {
    const est: Example[] = [];
    const cold: Example[] = [];
    for (const p of ps) {
      const o = p.values.length - 1 - H;
      if (o < 0 && p.first >= p.values.length) continue;
      if (p.first <= o) est.push({ p, o });
      else if (p.first < p.values.length && p.first - o <= H) cold.push({ p, o });
    }
    const actual = (e: Example) => e.p.values.subarray(e.o + 1, e.o + 1 + H);
    const fe = await this.predictExamples(est, H);
    const fc = await this.predictExamples(cold, H);
    const sn = est.map((e) => seasonalNaiveBaseline(e.p.values.subarray(e.p.first, e.o + 1), H));
    return {
      origin: 'last horizon of the training data',
      established: { products: est.length, wql: est.length ? wql(est.map(actual), fe) : NaN, seasonalNaiveWql: est.length ? wql(est.map(actual), sn) : NaN },
      cold: { products: cold.length, wql: cold.length ? wql(cold.map(actual), fc) : NaN },
    };
  }

  async forecast(batch: SeriesInput[], horizon: number): Promise<QuantileForecast[]> {
    const H = this.metadata.shape.horizon;
    await ensureBackend(this.opts.log);
    if (!Number.isInteger(horizon) || horizon < 1 || horizon > H) throw new Error(`${this.name}: horizon ${horizon} is outside 1..${H} (the trained horizon)`);
    const ex = batch.map((s) => {
      const p = prepare(s);
      return { p, o: p.values.length - 1 };
    });
    return this.predictExamples(ex, horizon);
  }

  private async predictExamples(ex: Example[], horizon: number): Promise<QuantileForecast[]> {
    const out: QuantileForecast[] = [];
    // Built per call (a few small ops): the params change while fit() validates between phases.
    const w = inferenceWeights(this.params!);
    try {
      for (let from = 0; from < ex.length; from += CHUNK) await this.predictChunk(ex.slice(from, from + CHUNK), horizon, w, out);
    } finally {
      disposeInferenceWeights(w);
    }
    return out;
  }

  private async predictChunk(part: Example[], horizon: number, w: InferenceWeights, out: QuantileForecast[]): Promise<void> {
    const { shape, features, scalers } = this.metadata;
    const b = fillBatch(part, features, scalers, 0, false);
    const x = inferenceInputs(b, features, shape.seqFeatures, shape.staticDims, shape.reviewDims);
    const ys = tf.tidy(() => {
      const r = predict(this.params!, w, shape, x.seq, x.stat, x.rev, x.base);
      return [r.p10, r.p50, r.p90];
    });
    const [a, m, c] = await Promise.all(ys.map((t) => t.data() as Promise<Float32Array>));
    tf.dispose(ys);
    disposeInputs(x);
    const n = part.length;
    for (let i = 0; i < n; i++) out.push(toForecast(a, m, c, i, n, b.scale[i], horizon));
  }

  /** Weights by stable name, for artifact.ts. */
  weights(): Record<string, tf.Tensor> {
    if (!this.params) throw new Error(`${this.name}: not fitted`);
    return { ...this.params };
  }

  /** Rebuilds a model from saved metadata and weights (shapes are checked). */
  static fromWeights(meta: LstmMeta, tensors: Record<string, tf.Tensor>): GlobalLstmModel {
    if (meta.format !== 'trendcast-global-lstm') throw new Error(`not a global LSTM artifact (format ${String(meta.format)})`);
    // Session 3 added 4 static features (baseline.ts): older artifacts' input layer cannot be fed.
    if (meta.shape.staticDims !== staticDims(meta.features)) throw new Error(`LSTM artifact has ${meta.shape.staticDims} static inputs, this code writes ${staticDims(meta.features)} (an artifact from before the ses-residual rework): retrain it`);
    const m = new GlobalLstmModel({ name: meta.name, useText: meta.useText });
    const fresh = initParams(meta.shape, 0);
    for (const [k, v] of Object.entries(fresh)) {
      const t = tensors[k];
      if (!t) throw new Error(`artifact is missing weight ${k}`);
      if (t.shape.join('x') !== v.shape.join('x')) throw new Error(`weight ${k}: shape ${t.shape} in the artifact, ${v.shape} expected`);
      v.assign(t as tf.Tensor);
    }
    m.params = fresh;
    m.meta = meta;
    return m;
  }

  dispose(): void {
    this.disposeParams();
  }

  private disposeParams(): void {
    if (this.params) tf.dispose(Object.values(this.params));
    this.params = undefined;
  }
}

const clamp = (v: number) => (v > 0 && Number.isFinite(v) ? v : 0);

/**
 * Example i of the network's [H, n] outputs in units, clamped at 0 and sorted per step (the
 * residual head does not order its quantiles; for the older head the sort is a no-op). Three
 * compares instead of tidy()'s per-step arrays, a visible share of inference at 5,000 products.
 */
function toForecast(a: Float32Array, m: Float32Array, c: Float32Array, i: number, n: number, sc: number, horizon: number): QuantileForecast {
  const f: QuantileForecast = { p10: new Array(horizon), p50: new Array(horizon), p90: new Array(horizon) };
  for (let h = 0; h < horizon; h++) setOrdered(f, h, clamp(a[h * n + i] * sc), clamp(m[h * n + i] * sc), clamp(c[h * n + i] * sc));
  return f;
}

function pickTrain(o: LstmOptions): Partial<TrainSettings> {
  const out: Partial<TrainSettings> = {};
  for (const k of Object.keys(TRAIN_DEFAULTS) as (keyof TrainSettings)[]) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
