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
