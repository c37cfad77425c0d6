/**
 * k nearest neighbours over listing embeddings plus price, brute force over Float32Array vectors
 * (a few thousand references: a linear scan is faster than building an index).
 * score = cosine(query, ref) - priceWeight * |ln(price / refPrice)|; higher is nearer.
 */

function norm(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

function dot(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`embedding dimensions differ: ${a.length} vs ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  const s = dot(a, b);
  const d = norm(a) * norm(b);
  return d > 0 ? s / d : 0;
}

export function similarity(
  query: Float32Array | undefined,
  price: number | undefined,
  ref: Float32Array | undefined,
  refPrice: number,
  priceWeight: number,
): number {
  let s = query && ref ? cosine(query, ref) : 0;
  if (price !== undefined && price > 0 && refPrice > 0) s -= priceWeight * Math.abs(Math.log(price / refPrice));
  return s;
}

/** Indices of the k best references, best first; ties keep the lower index (deterministic). */
export function knn(
  vectors: (Float32Array | undefined)[],
  prices: number[],
  query: Float32Array | undefined,
  price: number | undefined,
  k: number,
  priceWeight: number,
): number[] {
  return new KnnIndex(vectors, prices).nearest(query, price, k, priceWeight);
}

/**
 * The references of knn() with their norms computed once and, when they share one dimension, their
 * vectors copied into one contiguous matrix: a query is then one pass over consecutive memory
 * instead of three passes over vectors scattered on the heap (the cold-start forecast queries every
 * new product). Scores are the same doubles as similarity() gives, so the ranking is the same.
 */
export class KnnIndex {
  private readonly norms: Float64Array;
  private readonly scores: Float64Array;
  /** Scores of the second query of a pair (nearestMany). */
  private pair?: Float64Array;
  /** Row-major vectors when all references have one (dim) or none; else undefined. */
  private readonly matrix?: Float32Array;
  private readonly dim: number;

  constructor(private readonly vectors: (Float32Array | undefined)[], private readonly prices: number[]) {
    this.norms = Float64Array.from(vectors, (v) => (v ? norm(v) : 0));
    this.scores = new Float64Array(vectors.length);
    const dims = new Set(vectors.filter((v) => v).map((v) => v!.length));
    this.dim = dims.size === 1 ? [...dims][0] : 0;
    if (this.dim > 0) {
      this.matrix = new Float32Array(vectors.length * this.dim);
      vectors.forEach((v, i) => v && this.matrix!.set(v, i * this.dim));
    }
  }

  get size(): number {
    return this.vectors.length;
  }

  nearest(query: Float32Array | undefined, price: number | undefined, k: number, priceWeight: number): number[] {
    return this.nearestMany([{ embedding: query, price }], k, priceWeight)[0];
  }

  /**
   * nearest() of each query. Queries that can use the matrix go through it two at a time: each row
   * of the matrix is then read once for both (it is megabytes, larger than the CPU's caches), which
   * makes a query about a third cheaper (bench) with the same sums.
   */
  nearestMany(queries: { embedding?: Float32Array; price?: number }[], k: number, priceWeight: number): number[][] {
    const out: number[][] = [];
    const fast = (q?: Float32Array): q is Float32Array => q !== undefined && this.matrix !== undefined && q.length === this.dim;
    let paired: Float64Array | undefined; // the dots of the query after the current one, when computed together
    for (let i = 0; i < queries.length; i++) {
      const { embedding, price } = queries[i];
      let dots: Float64Array | undefined;
      if (paired) {
        dots = paired;
        paired = undefined;
      } else if (fast(embedding)) {
        dots = this.scores;
        const next = queries[i + 1]?.embedding;
        if (fast(next)) this.matrixDots2(embedding, next, dots, (paired = this.pairScores()));
        else this.matrixDots(embedding, dots);
      }
      out.push(this.rank(embedding, price, dots, k, priceWeight));
    }
    return out;
  }

  private pairScores(): Float64Array {
    return (this.pair ??= new Float64Array(this.vectors.length));
  }

  /** Scores from the query's dots with every row (or dot() per reference when dots is undefined), then the top k. */
  private rank(query: Float32Array | undefined, price: number | undefined, dots: Float64Array | undefined, k: number, priceWeight: number): number[] {
    const qn = query ? norm(query) : 0;
    const usePrice = price !== undefined && price > 0;
    const scores = dots ?? this.scores;
    for (let i = 0; i < this.vectors.length; i++) {
      const v = this.vectors[i];
      let s = 0;
      if (query && v) {
        const d = qn * this.norms[i];
        const p = dots ? dots[i] : dot(query, v);
        s = d > 0 ? p / d : 0;
      }
      if (usePrice && this.prices[i] > 0) s -= priceWeight * Math.abs(Math.log(price / this.prices[i]));
      scores[i] = s;
    }
    return topK(scores, Math.min(k, this.vectors.length));
  }

  /**
   * dot(query, vectors[i]) for every row into out, four rows per pass over the query: each sum
   * still adds its products in index order (the same double as dot()), but four independent sums
   * keep the CPU busy where one waits on each addition.
   */
  private matrixDots(query: Float32Array, out: Float64Array): void {
    const m = this.matrix!;
    const D = this.dim;
    const R = this.vectors.length;
    let i = 0;
    for (; i + 4 <= R; i += 4) {
      const o = i * D;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let j = 0; j < D; j++) {
        const q = query[j];
        s0 += q * m[o + j];
        s1 += q * m[o + D + j];
        s2 += q * m[o + 2 * D + j];
        s3 += q * m[o + 3 * D + j];
      }
      out[i] = s0;
      out[i + 1] = s1;
      out[i + 2] = s2;
      out[i + 3] = s3;
    }
    for (; i < R; i++) out[i] = rowDot(query, m, i * D, D);
  }

  /** matrixDots of two queries in one pass over the matrix (eight sums, each in index order). */
  private matrixDots2(qa: Float32Array, qb: Float32Array, outA: Float64Array, outB: Float64Array): void {
    const m = this.matrix!;
    const D = this.dim;
    const R = this.vectors.length;
    let i = 0;
    for (; i + 4 <= R; i += 4) {
      const o = i * D;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      for (let j = 0; j < D; j++) {
        const x = qa[j];
        const y = qb[j];
        const m0 = m[o + j];
        const m1 = m[o + D + j];
        const m2 = m[o + 2 * D + j];
        const m3 = m[o + 3 * D + j];
        a0 += x * m0;
        a1 += x * m1;
        a2 += x * m2;
        a3 += x * m3;
        b0 += y * m0;
        b1 += y * m1;
        b2 += y * m2;
        b3 += y * m3;
      }
      outA[i] = a0;
      outA[i + 1] = a1;
      outA[i + 2] = a2;
      outA[i + 3] = a3;
      outB[i] = b0;
      outB[i + 1] = b1;
      outB[i + 2] = b2;
      outB[i + 3] = b3;
    }
    for (; i < R; i++) {
      outA[i] = rowDot(qa, m, i * D, D);
      outB[i] = rowDot(qb, m, i * D, D);
    }
  }
}

function rowDot(query: Float32Array, m: Float32Array, o: number, D: number): number {
  let s = 0;
  for (let j = 0; j < D; j++) s += query[j] * m[o + j];
  return s;
}

/** Indices of the k highest scores, best first, the lower index first among equal scores. */
function topK(scores: Float64Array, k: number): number[] {
  const best: number[] = [];
  const before = (i: number, j: number) => scores[i] > scores[j] || (scores[i] === scores[j] && i < j);
  for (let i = 0; i < scores.length; i++) {
    if (best.length === k && !before(i, best[k - 1])) continue;
    let at = best.length === k ? k - 1 : best.length;
    while (at > 0 && before(i, best[at - 1])) {
      best[at] = best[at - 1];
      at--;
    }
    best[at] = i;
  }
  return best;
}
