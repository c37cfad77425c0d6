import { validateListing, validateOrder, validateReview } from '../../../shared/domain/validation';
import type { ListingEvent, OrderEvent, ReviewEvent } from '../../../shared/domain/events';

const limits = { maxOrderQuantity: 1000, maxUnitPrice: 10000, maxTextChars: 100, maxFutureSkewMs: 3600_000 };
const now = Date.UTC(2012, 0, 1);
const order: OrderEvent = { eventId: 'e', eventTime: Date.UTC(2011, 5, 1), sku: '85123A', orderId: 'o', kind: 'ORDER', quantity: 6, unitPrice: 2.55, currency: 'GBP', customerId: null, country: null };

describe('event validation', () => {
  test('accepts a plain order, a cancellation and a return', () => {
    expect(validateOrder(order, limits, now)).toBe(order);
    expect(validateOrder({ ...order, kind: 'CANCELLATION', quantity: -6 }, limits, now).quantity).toBe(-6);
    expect(validateOrder({ ...order, kind: 'RETURN', quantity: -1 }, limits, now).kind).toBe('RETURN');
  });

  test.each([
    [{ quantity: NaN }, /quantity NaN/],
    [{ quantity: 0 }, /non-zero/],
    [{ quantity: 5000 }, /exceeds the limit 1000/],
    [{ quantity: -2 }, /negative quantity/],
    [{ kind: 'RETURN' as const, quantity: 2 }, /must carry a negative/],
    [{ unitPrice: Infinity }, /unitPrice/],
    [{ sku: 'bad sku!' }, /not a product id/],
    [{ eventId: '' }, /eventId/],
    [{ eventId: 'a\nb' }, /control character/],
    [{ eventId: 'tab\there' }, /control character/],
    [{ eventTime: Date.UTC(2013, 0, 1) }, /in the future/],
    [{ eventTime: 5 }, /before 2000/],
  ])('rejects %o', (patch, reason) => {
    expect(() => validateOrder({ ...order, ...patch }, limits, now)).toThrow(reason);
  });

  test('reviews: rating range and oversized text', () => {
    const r: ReviewEvent = { eventId: 'r', eventTime: order.eventTime, sku: 'A1', reviewId: 'r', rating: 4, text: 'nice', language: null };
    expect(validateReview(r, limits, now)).toBe(r);
    expect(() => validateReview({ ...r, rating: 6 }, limits, now)).toThrow(/rating 6/);
    expect(() => validateReview({ ...r, text: 'x'.repeat(101) }, limits, now)).toThrow(/101 characters/);
  });

  test('listings: title required, price positive', () => {
    const l: ListingEvent = { eventId: 'l', eventTime: order.eventTime, sku: 'A1', title: 'Mug', description: '', category: null, brand: null, price: 3, currency: 'GBP' };
    expect(validateListing(l, limits, now)).toBe(l);
    expect(() => validateListing({ ...l, title: '  ' }, limits, now)).toThrow(/title is empty/);
    expect(() => validateListing({ ...l, price: 0 }, limits, now)).toThrow(/price 0/);
  });
});
