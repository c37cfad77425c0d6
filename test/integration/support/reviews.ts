import type { ReviewEvent } from '../../../shared/domain/events';

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
