import type { ReviewEvent } from '../../../shared/domain/events';
import type { ProductSnapshot } from '../../../shared/domain/state';
import type { Embedder } from '../../../shared/embedding';

const TEXTS: [number, string][] = [
  [5, 'Lovely quality, exactly as pictured and it arrived quickly.'],
  [4, 'Nice gift, my daughter liked it, though the colour is a bit paler than shown.'],
  [2, 'Broke after a week. Disappointed with the build quality.'],
  [5, 'Bought three more for friends, everyone loved them!'],
  [1, 'Never arrived and customer service did not answer.'],
];

/** A few hand-written reviews per product, in time order, for the review path of the tests. */
export function reviewFixtures(skus: string[], lastTime: number): ReviewEvent[] {
  return skus.flatMap((sku, i) =>
    TEXTS.slice(0, 3 + (i % 3)).map(([rating, text], j) => ({
      eventId: `review/${sku}/${j}`, eventTime: lastTime - (10 - j) * 3600_000, sku, reviewId: `r-${sku}-${j}`, rating, text, language: 'en',
    })),
  );
}

/** The fp32 model gives a text the same vector alone or inside any batch; float32 storage rounds. */
export function expectSameEmbedding(stored: Float32Array, expected: Float32Array): void {
  expect(stored.length).toBe(expected.length);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < stored.length; i++) {
    dot += stored[i] * expected[i];
    na += stored[i] ** 2;
    nb += expected[i] ** 2;
    expect(Math.abs(stored[i] - expected[i])).toBeLessThan(1e-5);
  }
  expect(dot / Math.sqrt(na * nb)).toBeGreaterThan(0.999999);
}

/**
 * A product's stored review state against its own reviews (in event order, each once): count,
 * rating mean, and the decayed mean of their texts' embeddings recomputed with `embedder`.
 */
export async function expectReviewState(snap: ProductSnapshot, mine: ReviewEvent[], embedder: Embedder, decay: number): Promise<void> {
  expect(snap.reviews!.count).toBe(mine.length);
  expect(snap.reviews!.ratingMean).toBeCloseTo(mine.reduce((a, r) => a + r.rating, 0) / mine.length, 10);
  const vecs = await embedder.embed(mine.map((r) => r.text));
  const mean = Float64Array.from(vecs[0]);
  for (const v of vecs.slice(1)) v.forEach((x, j) => (mean[j] = decay * x + (1 - decay) * mean[j]));
  expectSameEmbedding(snap.reviews!.embedding!, Float32Array.from(mean));
}
