import type { Registry } from 'prom-client';
import type { ReviewEvent } from '../../shared/domain/events';
import type { StateStore } from '../../shared/domain/state';
import { validateReview, type ValidationLimits } from '../../shared/domain/validation';
import type { ConsumerDefinition, Handler } from '../../shared/adapters/consumer-service';
import { embeddingSpec } from '../../shared/config/common';
import type { Embedder } from '../../shared/embedding';
import { loadEmbedder } from '../../shared/adapters/embedder';

/** Reviews -> rating statistics and the decayed mean of review-text embeddings, one model call per batch. */
export function reviewHandler(store: StateStore, embedder: Embedder, limits: ValidationLimits): Handler<ReviewEvent> {
  return {
    validate: (e) => validateReview(e, limits),
    handle: async (events) => {
      const withText = events.filter((e) => e.text.trim().length > 0);
      const vectors = await embedder.embed(withText.map((e) => e.text));
      const byEvent = new Map(withText.map((e, i) => [e, vectors[i]]));
      return store.applyReviews(events.map((event) => ({ event, embedding: byEvent.get(event) ?? null })));
    },
  };
}

export const reviewConsumer: ConsumerDefinition<ReviewEvent, typeof embeddingSpec> = {
  service: 'review-consumer',
  schema: 'review',
  topic: (t) => t.reviews,
  extraSpec: embeddingSpec,
  makeHandler: async ({ store, limits, config, log, registry }) => {
    const embedder = await loadEmbedder(config, log, registry as Registry);
    return reviewHandler(store, embedder, limits);
  },
};
