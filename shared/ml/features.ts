/**
 * Features of the global LSTM, pure JS (no tfjs): one example = a product seen at an origin.
 * Demand is divided by a per-product scale (1 + mean of the last `scaleDays` days since the first
 * sale), so one network serves products selling 1 or 1,000 a day. Buffers are laid out
 * feature-major ([feature][example]) because the network multiplies W x X with examples in columns,
 * which keeps every per-step slice contiguous (strided slices are slow on the wasm backend).
 */
import type { SeriesInput } from '../forecasting/model';
import { DAY_MS } from '../forecasting/series';
import { Pca, projectInto } from './pca';
import { LocalBase, SesCalibrationJson, localBase, writeBase } from './baseline';

/** Per-step sequence features: log1p(y/s), min(y/s, 5), padding flag, weekday one-hot (7). */
export const SEQ_FEATURES = 10;
/** Static features before the text components (see writeStatic). */
export const BASE_STATIC = 29;
/** Static row of the cold-start flag (1 before the first sale). */
export const COLD_ROW = 9;
/** Static row of the ses level and demand shape (see baseline.ts). */
const SES_ROW = 25;
/** Review features, fed to the demand head only (the rating head must not see the rating). */
export const REVIEW_FEATURES = 3;
const WEEKS = 8;
/** Static row where the 7 weekday means start (then 7 non-zero shares). */
export const PROFILE_ROW = 11;

export interface FeatureConfig {
  lookback: number;
  horizon: number;
  scaleDays: number;
  /** Text components used (0 = no text). */
  textDims: number;
  /** Scale by 1 + the ses level at the origin instead of 1 + the mean of `scaleDays` (needs Scalers.ses). */
  sesScale?: boolean;
}

/** Fitted on the training products; stored in metadata.json. */
export interface Scalers {
  logPriceMean: number;
  logPriceStd: number;
  logScaleMean: number;
  logScaleStd: number;
  /** Scale given to products without sales (cold start): typical first-weeks demand + 1. */
  coldScale: number;
  ratingMean: number;
  ratingStd: number;
  pca?: Pca;
  /** Quantile multipliers of the ses baseline the network corrects (baseline.ts); none = no baseline. */
  ses?: SesCalibrationJson;
}

/** A product's series in the form the feature code wants: values plus where its sales begin. */
export interface Prepared {
  input: SeriesInput;
  values: Float64Array;
  /** Index of the first value > 0, or values.length if none. */
  first: number;
  t0: number;
  bucketMs: number;
}

/** UTC epoch day of bucket i (i may be negative or past the history). */
export const dayAt = (p: Prepared, i: number): number => Math.floor((p.t0 + i * p.bucketMs) / DAY_MS);

export function prepare(s: SeriesInput): Prepared {
  const h = s.history;
  const values = h instanceof Float64Array ? h : Float64Array.from(h as ArrayLike<number>);
  let first = 0;
  while (first < values.length && !(values[first] > 0)) first++;
  if (!(s.bucketMs > 0)) throw new Error(`${s.sku}: bucketMs must be > 0, got ${s.bucketMs}`);
  return { input: s, values, first, t0: s.startTime, bucketMs: s.bucketMs };
}

export const weekday = (day: number): number => (((day + 4) % 7) + 7) % 7;

/** Scale of a product at origin index o (history = values[0..o]). */
export function productScale(p: Prepared, o: number, cfg: FeatureConfig, sc: Pick<Scalers, 'coldScale'>): number {
  const hi = Math.min(o, p.values.length - 1);
  if (hi < p.first) return sc.coldScale;
  const lo = Math.max(p.first, hi - cfg.scaleDays + 1);
  let s = 0;
  for (let i = lo; i <= hi; i++) s += p.values[i];
  return 1 + s / (hi - lo + 1);
}

export interface Batch {
  n: number;
  /** [lookback][SEQ_FEATURES][n] */
  seq: Float32Array;
  /** [staticDims][n] */
  stat: Float32Array;
  /** [REVIEW_FEATURES][n] */
  rev: Float32Array;
  /** [3][horizon][n] ses base quantiles p10, p50, p90 over the scale (0 without a baseline) */
  base: Float32Array;
  /** [horizon][n] scaled targets (training only) */
  target: Float32Array;
  weight: Float32Array;
  rating: Float32Array;
  ratingMask: Float32Array;
  scale: Float64Array;
}

export const staticDims = (cfg: FeatureConfig): number => BASE_STATIC + cfg.textDims;

export function allocBatch(n: number, cfg: FeatureConfig): Batch {
  return {
    n,
    seq: new Float32Array(cfg.lookback * SEQ_FEATURES * n),
    stat: new Float32Array(staticDims(cfg) * n),
    rev: new Float32Array(REVIEW_FEATURES * n),
    base: new Float32Array(3 * cfg.horizon * n),
    target: new Float32Array(cfg.horizon * n),
    weight: new Float32Array(n),
    rating: new Float32Array(n),
    ratingMask: new Float32Array(n),
    scale: new Float64Array(n),
  };
}

function writeSeq(b: Batch, col: number, p: Prepared, o: number, s: number, cfg: FeatureConfig): void {
  const n = b.n;
  for (let t = 0; t < cfg.lookback; t++) {
    const i = o - cfg.lookback + 1 + t;
    const base = t * SEQ_FEATURES * n + col;
    const pad = i < p.first || i >= p.values.length;
    const y = pad ? 0 : p.values[i] / s;
    b.seq[base] = Math.log1p(y);
    b.seq[base + n] = Math.min(y, 5);
    b.seq[base + 2 * n] = pad ? 1 : 0;
    const wd = weekday(dayAt(p, i));
    for (let k = 0; k < 7; k++) b.seq[base + (3 + k) * n] = k === wd ? 1 : 0;
  }
}

/** Weekday profile of the last 8 weeks, aligned so position j is the weekday of forecast step j+1. */
function writeProfile(b: Batch, col: number, p: Prepared, o: number, s: number, offset: number): void {
  const n = b.n;
  for (let j = 0; j < 7; j++) {
    let sum = 0;
    let nz = 0;
    let cnt = 0;
    for (let m = 1; m <= WEEKS; m++) {
      const i = o + 1 + j - 7 * m;
      if (i < p.first || i >= p.values.length) continue;
      cnt++;
      sum += p.values[i];
      if (p.values[i] > 0) nz++;
    }
    b.stat[(offset + j) * n + col] = cnt ? Math.log1p(sum / cnt / s) : 0;
    b.stat[(offset + 7 + j) * n + col] = cnt ? nz / cnt : 0;
  }
}

/** Static features: weekday of step 1 (7), log scale, log price, cold flag, age, profile (14), ses level and shape (4), text. */
function writeStatic(b: Batch, col: number, p: Prepared, o: number, s: number, cfg: FeatureConfig, sc: Scalers, lb: LocalBase | undefined): void {
  const n = b.n;
  const wd = weekday(dayAt(p, o + 1));
  for (let k = 0; k < 7; k++) b.stat[k * n + col] = k === wd ? 1 : 0;
  b.stat[7 * n + col] = (Math.log(s) - sc.logScaleMean) / sc.logScaleStd;
  const price = p.input.price;
  b.stat[8 * n + col] = price !== undefined && price > 0 && Number.isFinite(price) ? (Math.log(price) - sc.logPriceMean) / sc.logPriceStd : 0;
  const cold = o < p.first || p.first >= p.values.length;
  b.stat[COLD_ROW * n + col] = cold ? 1 : 0;
  b.stat[10 * n + col] = cold ? 0 : Math.log1p(o - p.first + 1) / 6;
  writeProfile(b, col, p, o, s, PROFILE_ROW);
  b.stat[SES_ROW * n + col] = lb ? Math.log1p(lb.level / s) : 0;
  for (let k = 0; k < 3; k++) b.stat[(SES_ROW + 1 + k) * n + col] = lb ? Math.log1p(lb.shape[k]) : 0;
  if (cfg.textDims > 0 && sc.pca) projectInto(sc.pca, p.input.embedding, b.stat, BASE_STATIC * n + col, n);
}

/** A product seen before its first sale has no reviews yet: its (later) reviews must not leak into a cold example. */
function writeReviews(b: Batch, col: number, p: Prepared, o: number, sc: Scalers): void {
  const n = b.n;
  const r = p.input.reviews;
  const has = r !== undefined && r.count > 0 && Number.isFinite(r.ratingMean) && o >= p.first;
  b.rev[col] = has ? Math.log1p(r.count) / 5 : 0;
  b.rev[n + col] = has ? (r.ratingMean - sc.ratingMean) / sc.ratingStd : 0;
  b.rev[2 * n + col] = has ? 1 : 0;
  b.rating[col] = has ? (r.ratingMean - sc.ratingMean) / sc.ratingStd : 0;
  b.ratingMask[col] = has ? 1 : 0;
}

/**
 * Writes example `col`: product p seen at origin index o (history = values[0..o]; o may be below
 * p.first for a cold-start example). Targets (if `withTarget`) are values[o+1..o+H], 0 before the first sale.
 */
export function writeExample(b: Batch, col: number, p: Prepared, o: number, cfg: FeatureConfig, sc: Scalers, withTarget: boolean): void {
  const lb = sc.ses ? localBase(p, o, sc.ses) : undefined;
  const s = cfg.sesScale && sc.ses ? (lb ? 1 + lb.level : sc.coldScale) : productScale(p, o, cfg, sc);
  b.scale[col] = s;
  writeSeq(b, col, p, o, s, cfg);
  if (sc.ses) writeBase(b.base, col, b.n, cfg.horizon, lb, s, sc.ses);
  writeStatic(b, col, p, o, s, cfg, sc, lb);
  writeReviews(b, col, p, o, sc);
  if (!withTarget) return;
  for (let h = 0; h < cfg.horizon; h++) {
    const i = o + 1 + h;
    b.target[h * b.n + col] = i >= 0 && i < p.values.length ? p.values[i] / s : 0;
  }
}

function meanStd(xs: number[], fallbackMean: number, fallbackStd: number): [number, number] {
  if (xs.length < 2) return [fallbackMean, fallbackStd];
  const m = xs.reduce((a, x) => a + x, 0) / xs.length;
  const v = xs.reduce((a, x) => a + (x - m) * (x - m), 0) / (xs.length - 1);
  return [m, Math.sqrt(v) > 1e-6 ? Math.sqrt(v) : fallbackStd];
}

/** Fits the scalers on the training products (their last origin). PCA is attached by the caller. */
export function fitScalers(ps: Prepared[], cfg: FeatureConfig, horizon: number): Scalers {
  const logPrices = ps.map((p) => p.input.price).filter((x): x is number => x !== undefined && x > 0 && Number.isFinite(x)).map(Math.log);
  const logScales: number[] = [];
  const firstWeeks: number[] = [];
  for (const p of ps) {
    if (p.first >= p.values.length) continue;
    logScales.push(Math.log(productScale(p, p.values.length - 1, cfg, { coldScale: 1 })));
    const end = Math.min(p.values.length, p.first + horizon);
    if (end - p.first === horizon) {
      let s = 0;
      for (let i = p.first; i < end; i++) s += p.values[i];
      firstWeeks.push(s / horizon);
    }
  }
  const ratings = ps.map((p) => p.input.reviews).filter((r) => r && r.count > 0 && Number.isFinite(r.ratingMean)).map((r) => r!.ratingMean);
  const [logPriceMean, logPriceStd] = meanStd(logPrices, 0, 1);
  const [logScaleMean, logScaleStd] = meanStd(logScales, 0, 1);
  const [ratingMean, ratingStd] = meanStd(ratings, 3, 1);
  firstWeeks.sort((a, b) => a - b);
  const coldScale = 1 + (firstWeeks.length ? firstWeeks[firstWeeks.length >> 1] : 0);
  return { logPriceMean, logPriceStd, logScaleMean, logScaleStd, coldScale, ratingMean, ratingStd };
}
