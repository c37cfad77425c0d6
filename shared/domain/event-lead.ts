import { PoisonMessageError } from '../errors';

/**
 * Refuses events dated far ahead of the stream. The wall-clock bound of validation cannot catch a
 * wrong year in a historical replay (2013 instead of 2011 is still in the past), yet one such order
 * would move its product's demand window past all its history (the ring is cut to the newest
 * bucket) and push the watermark, the forecaster's clock, for every product. So an event more than
 * `maxLeadMs` after the newest event time known (this consumer's own, or the shared watermark,
 * refreshed by the caller) is dead-lettered instead. 0 turns the check off.
 *
 * The first event of an empty system has nothing to be compared with and is taken as it is.
 */
export class EventTimeLead {
  private newest: number;

  constructor(private readonly maxLeadMs: number, watermark = 0) {
    this.newest = watermark;
  }

  /** The watermark read from the store: only ever moves the reference forward. */
  advance(watermark: number): void {
    if (watermark > this.newest) this.newest = watermark;
  }

  get reference(): number {
    return this.newest;
  }

  /** False for an event too far ahead (check() would throw); counts nothing as seen. */
  allows(eventTime: number): boolean {
    return !(this.maxLeadMs > 0 && this.newest > 0 && eventTime > this.newest + this.maxLeadMs);
  }

  /** Throws a poison-message error for an event too far ahead; otherwise counts its time as seen. */
  check(eventTime: number): void {
    if (!this.allows(eventTime)) {
      const days = (eventTime - this.newest) / 86_400_000;
      throw new PoisonMessageError(
        'VALIDATION_FAILED',
        `eventTime ${new Date(eventTime).toISOString()} is ${days.toFixed(1)} days after the newest event time seen (${new Date(this.newest).toISOString()}), more than MAX_EVENT_LEAD_MS allows`,
      );
    }
    this.advance(eventTime);
  }
}
