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

export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`embedding dimensions differ: ${a.length} vs ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
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
  const scores = vectors.map((v, i) => ({ i, s: similarity(query, price, v, prices[i], priceWeight) }));
  scores.sort((a, b) => b.s - a.s || a.i - b.i);
  return scores.slice(0, Math.min(k, scores.length)).map((x) => x.i);
}
