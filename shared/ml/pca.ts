/**
 * PCA of text embeddings, fit on the training products: a 384-dim sentence embedding is far too
 * wide for ~2,500 products, so the LSTM sees its top k whitened components. Pure JS (no tfjs) so
 * the matrix can live in metadata.json and be applied anywhere.
 */
import { mulberry32 } from '../forecasting/series';

export interface Pca {
  dim: number;
  k: number;
  mean: number[];
  /** k rows of `dim` numbers: unit-length principal directions, largest variance first. */
  components: number[][];
  /** Standard deviation along each component in the training set (for whitening). */
  scale: number[];
}

function orthonormalise(q: Float64Array[]): void {
  for (let j = 0; j < q.length; j++) {
    for (let i = 0; i < j; i++) {
      let d = 0;
      for (let t = 0; t < q[j].length; t++) d += q[j][t] * q[i][t];
      for (let t = 0; t < q[j].length; t++) q[j][t] -= d * q[i][t];
    }
    let n = 0;
    for (let t = 0; t < q[j].length; t++) n += q[j][t] * q[j][t];
    n = Math.sqrt(n) || 1;
    for (let t = 0; t < q[j].length; t++) q[j][t] /= n;
  }
}

/** Covariance matrix (dim x dim, row-major) of centred rows. */
function covariance(rows: Float32Array[], mean: Float64Array): Float64Array {
  const d = mean.length;
  const c = new Float64Array(d * d);
  const x = new Float64Array(d);
  for (const r of rows) {
    for (let i = 0; i < d; i++) x[i] = r[i] - mean[i];
    for (let i = 0; i < d; i++) {
      const xi = x[i];
      if (xi === 0) continue;
      const off = i * d;
      for (let j = i; j < d; j++) c[off + j] += xi * x[j];
    }
  }
  const n = Math.max(1, rows.length - 1);
  for (let i = 0; i < d; i++) for (let j = i; j < d; j++) c[j * d + i] = c[i * d + j] = c[i * d + j] / n;
  return c;
}

/** Top-k PCA by orthogonal (subspace) iteration on the covariance; deterministic for a seed. */
export function fitPca(rows: Float32Array[], k: number, seed = 1, iterations = 150): Pca {
  if (rows.length < 2) throw new Error(`PCA needs at least 2 embeddings, got ${rows.length}`);
  const d = rows[0].length;
  for (const r of rows) if (r.length !== d) throw new Error(`PCA: embeddings of different sizes (${d} and ${r.length})`);
  k = Math.min(k, d, rows.length - 1);
  const mean = new Float64Array(d);
  for (const r of rows) for (let i = 0; i < d; i++) mean[i] += r[i] / rows.length;
  const c = covariance(rows, mean);
  const rand = mulberry32(seed);
  let q = Array.from({ length: k }, () => Float64Array.from({ length: d }, () => rand() - 0.5));
  orthonormalise(q);
  for (let it = 0; it < iterations; it++) {
    q = q.map((v) => {
      const out = new Float64Array(d);
      for (let i = 0; i < d; i++) {
        let s = 0;
        const off = i * d;
        for (let j = 0; j < d; j++) s += c[off + j] * v[j];
        out[i] = s;
      }
      return out;
    });
    orthonormalise(q);
  }
  const scale = q.map((v) => {
    let s = 0;
    for (let i = 0; i < d; i++) {
      let cv = 0;
      for (let j = 0; j < d; j++) cv += c[i * d + j] * v[j];
      s += v[i] * cv;
    }
    return Math.sqrt(Math.max(s, 1e-12));
  });
  return { dim: d, k, mean: Array.from(mean), components: q.map((v) => Array.from(v)), scale };
}

/** Whitened projection of one embedding into `out` at `offset`; zeros when the embedding is missing. */
export function projectInto(p: Pca, e: Float32Array | undefined, out: Float32Array, offset: number, stride = 1): void {
  for (let j = 0; j < p.k; j++) {
    let s = 0;
    if (e) {
      if (e.length !== p.dim) throw new Error(`embedding has ${e.length} dims, the model was trained on ${p.dim}`);
      const v = p.components[j];
      for (let i = 0; i < p.dim; i++) s += (e[i] - p.mean[i]) * v[i];
      s /= p.scale[j];
    }
    out[offset + j * stride] = s;
  }
}
