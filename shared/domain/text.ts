import type { ListingEvent } from './events';

/** The text whose embedding represents a listing: title and description, as a shopper reads them. */
export function listingText(e: Pick<ListingEvent, 'title' | 'description'>): string {
  const d = e.description.trim();
  return d && d !== e.title.trim() ? `${e.title.trim()}. ${d}` : e.title.trim();
}
