import type { ListingEvent } from '../../shared/domain/events';
import type { StateStore } from '../../shared/domain/state';
import { listingText } from '../../shared/domain/text';
import { validateListing, type ValidationLimits } from '../../shared/domain/validation';
import type { ConsumerDefinition, Handler } from '../../shared/adapters/consumer-service';
import { embeddingSpec } from '../../shared/config/common';
import type { Embedder } from '../../shared/embedding';
import { loadEmbedder } from '../../shared/adapters/embedder';

/** Listings -> listing attributes and the embedding of title + description. */
export function listingHandler(store: StateStore, embedder: Embedder, limits: ValidationLimits): Handler<ListingEvent> {
  return {
    validate: (e) => validateListing(e, limits),
    handle: async (events) => {
      const vectors = await embedder.embed(events.map(listingText));
      return store.applyListings(events.map((event, i) => ({ event, embedding: vectors[i], modelId: embedder.modelId })));
    },
  };
}

export const listingConsumer: ConsumerDefinition<ListingEvent, typeof embeddingSpec> = {
  service: 'listing-consumer',
  schema: 'listing',
  topic: (t) => t.listings,
  extraSpec: embeddingSpec,
  makeHandler: async ({ store, limits, config, log, registry }) => listingHandler(store, await loadEmbedder(config, log, registry), limits),
};
