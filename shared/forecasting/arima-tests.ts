/** Differencing and the unit-root / seasonality tests ARIMA's order selection uses. */

/** x_t - x_{t-lag}, length n - lag. */
export function difference(x: Float64Array, lag: number): Float64Array {
  const out = new Float64Array(Math.max(0, x.length - lag));
  for (let t = lag; t < x.length; t++) out[t - lag] = x[t] - x[t - lag];
  return out;
}

/** Inverts `difference` for forecasts w that continue the differenced `base`. */
export function undifference(w: Float64Array, base: Float64Array, lag: number): Float64Array {
  const n = base.length;
  const out = new Float64Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const j = n + i - lag; // index of the value lag steps back, in base or in out
    out[i] = w[i] + (j < n ? (j >= 0 ? base[j] : 0) : out[j - n]);
  }
  return out;
}

/**
 * KPSS statistic for level stationarity (Kwiatkowski et al. 1992) with the Newey-West long-run
 * variance at lag floor(3 sqrt(n) / 13) (R's tseries "short" lag). Large values reject stationarity.
 */
export function kpss(x: Float64Array): number {
  const n = x.length;
  let mu = 0;
  for (let i = 0; i < n; i++) mu += x[i] / n;
  let s = 0;
  let eta = 0;
  let gamma0 = 0;
  for (let i = 0; i < n; i++) {
    const e = x[i] - mu;
    s += e;
    eta += s * s;
    gamma0 += e * e;
  }
  const lags = Math.floor((3 * Math.sqrt(n)) / 13);
  let lrv = gamma0 / n;
  for (let l = 1; l <= lags; l++) {
    let g = 0;
    for (let i = l; i < n; i++) g += (x[i] - mu) * (x[i - l] - mu);
    lrv += (2 * (1 - l / (lags + 1)) * g) / n;
  }
  if (!(lrv > 1e-12)) return 0;
  return eta / (n * n * lrv);
}

/**
 * Seasonal strength F_s = max(0, 1 - var(R) / var(S + R)) of a classical additive decomposition
 * (centred moving-average trend, seasonal = mean detrended value per position), as used by Wang,
 * Smith and Hyndman (2006) and auto.arima's seasonal test (threshold 0.64).
 */
export function seasonalStrength(x: Float64Array, period: number): number {
  const n = x.length;
  const half = Math.floor(period / 2);
  const detr = new Float64Array(n).fill(NaN);
  let win = 0;
  for (let i = 0; i < period; i++) win += x[i];
  for (let c = half; c + half < n; c++) {
    if (c > half) win += x[c + half] - x[c - half - 1];
    detr[c] = x[c] - win / period; // odd period: the centred mean needs no 2x MA
  }
  const sum = new Float64Array(period);
  const cnt = new Float64Array(period);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(detr[i])) continue;
    sum[i % period] += detr[i];
    cnt[i % period]++;
  }
  let grand = 0;
  for (let k = 0; k < period; k++) grand += sum[k] / Math.max(1, cnt[k]) / period;
  let vR = 0;
  let vSR = 0;
  let m = 0;
  let mR = 0;
  let mSR = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(detr[i])) continue;
    const sr = detr[i];
    const r = sr - (sum[i % period] / Math.max(1, cnt[i % period]) - grand);
    m++;
    mR += r;
    mSR += sr;
    vR += r * r;
    vSR += sr * sr;
  }
  if (m < 2) return 0;
  const varR = vR / m - (mR / m) ** 2;
  const varSR = vSR / m - (mSR / m) ** 2;
  return varSR > 1e-12 ? Math.max(0, 1 - varR / varSR) : 0;
}
