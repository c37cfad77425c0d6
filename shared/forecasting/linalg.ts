/** Tiny dense least squares for the ARIMA regressions (a handful of columns, so normal equations suffice). */

/** Solves A x = b in place for a k x k row-major system (Gaussian elimination, partial pivoting). Undefined if singular. */
export function solve(a: Float64Array, b: Float64Array, k: number): Float64Array | undefined {
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r * k + c]) > Math.abs(a[piv * k + c])) piv = r;
    if (Math.abs(a[piv * k + c]) < 1e-12) return undefined;
    if (piv !== c) {
      for (let j = 0; j < k; j++) [a[c * k + j], a[piv * k + j]] = [a[piv * k + j], a[c * k + j]];
      [b[c], b[piv]] = [b[piv], b[c]];
    }
    for (let r = c + 1; r < k; r++) {
      const f = a[r * k + c] / a[c * k + c];
      if (f === 0) continue;
      for (let j = c; j < k; j++) a[r * k + j] -= f * a[c * k + j];
      b[r] -= f * b[c];
    }
  }
  const x = new Float64Array(k);
  for (let r = k - 1; r >= 0; r--) {
    let s = b[r];
    for (let j = r + 1; j < k; j++) s -= a[r * k + j] * x[j];
    x[r] = s / a[r * k + r];
  }
  return x;
}

/**
 * Ordinary least squares: rows are produced by `row(t, out)` for t in [from, to), filling the k
 * regressors into `out` and returning the target. A tiny ridge keeps near-collinear fits defined.
 */
export function ols(k: number, from: number, to: number, row: (t: number, out: Float64Array) => number): Float64Array | undefined {
  const xtx = new Float64Array(k * k);
  const xty = new Float64Array(k);
  const x = new Float64Array(k);
  for (let t = from; t < to; t++) {
    const y = row(t, x);
    for (let i = 0; i < k; i++) {
      xty[i] += x[i] * y;
      for (let j = i; j < k; j++) xtx[i * k + j] += x[i] * x[j];
    }
  }
  for (let i = 0; i < k; i++) {
    xtx[i * k + i] += 1e-9 * (1 + xtx[i * k + i]);
    for (let j = 0; j < i; j++) xtx[i * k + j] = xtx[j * k + i];
  }
  return solve(xtx, xty, k);
}

/**
 * AR(m) coefficients by Yule-Walker through the Durbin-Levinson recursion, O(n m + m^2): the cheap
 * long autoregression of Hannan-Rissanen. Returns undefined for a constant series.
 */
export function yuleWalker(x: ArrayLike<number>, m: number): { phi: Float64Array; mean: number } | undefined {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i] / n;
  const acov = new Float64Array(m + 1);
  for (let k = 0; k <= m; k++) {
    let s = 0;
    for (let t = k; t < n; t++) s += (x[t] - mean) * (x[t - k] - mean);
    acov[k] = s / n;
  }
  if (!(acov[0] > 1e-12)) return undefined;
  let phi = new Float64Array(0);
  let v = acov[0];
  for (let k = 1; k <= m; k++) {
    let num = acov[k];
    for (let j = 1; j < k; j++) num -= phi[j - 1] * acov[k - j];
    const r = num / v;
    const next = new Float64Array(k);
    for (let j = 1; j < k; j++) next[j - 1] = phi[j - 1] - r * phi[k - j - 1];
    next[k - 1] = r;
    phi = next;
    v *= 1 - r * r;
    if (!(v > 1e-12)) break;
  }
  return { phi, mean };
}
