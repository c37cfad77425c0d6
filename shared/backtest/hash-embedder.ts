/**
 * A dependency-free stand-in for the sentence embedder: hashed word and character-trigram counts,
 * L2-normalised. Used only when the real model is not installed (`--embedder hash`), so cold start
 * still has text similarity on a fresh machine; the real model (shared/embedding) is the default.
 */
export const HASH_DIM = 256;

function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export function hashEmbed(text: string, dim = HASH_DIM): Float32Array {
  const v = new Float32Array(dim);
  const words = text.toUpperCase().split(/[^A-Z0-9]+/).filter(Boolean);
  for (const w of words) {
    v[fnv(`w:${w}`) % dim] += 2;
    const padded = ` ${w} `;
    for (let i = 0; i + 3 <= padded.length; i++) v[fnv(`c:${padded.slice(i, i + 3)}`) % dim] += 1;
  }
  let n = 0;
  for (let i = 0; i < dim; i++) n += v[i] * v[i];
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < dim; i++) v[i] /= n;
  return v;
}

export const hashEmbedder = { modelId: 'hash-trigram', dim: HASH_DIM, embed: async (texts: string[]) => texts.map((t) => hashEmbed(t)) };
