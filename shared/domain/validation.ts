import { PoisonMessageError } from '../errors';
import type { ListingEvent, OrderFacts, ReviewEvent, InventoryEvent } from './events';

/** Limits beyond which an event is rejected as absurd rather than stored. From config. */
export interface ValidationLimits {
  maxOrderQuantity: number;
  maxUnitPrice: number;
  maxTextChars: number;
  /** Events dated further than this in the future are clock errors. */
  maxFutureSkewMs: number;
}

const SKU = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const EARLIEST = Date.UTC(2000, 0, 1);

function fail(msg: string): never {
  throw new PoisonMessageError('VALIDATION_FAILED', msg);
}

function common(e: { eventId: string; eventTime: number; sku: string }, l: ValidationLimits, now: number): void {
  // no control characters: the order store joins ids with '\n' (see shared/adapters/redis/order-args.ts)
  if (!e.eventId || e.eventId.length > 200 || /[\u0000-\u001f]/.test(e.eventId)) fail('eventId must be 1..200 characters, none of them a control character');
  if (!SKU.test(e.sku)) fail(`sku ${JSON.stringify(e.sku.slice(0, 80))} is not a product id (1..64 of [A-Za-z0-9._:-])`);
  if (!Number.isFinite(e.eventTime) || e.eventTime < EARLIEST) fail(`eventTime ${e.eventTime} is before 2000-01-01 or not a number`);
  if (e.eventTime > now + l.maxFutureSkewMs) fail(`eventTime ${new Date(e.eventTime).toISOString()} is in the future`);
}

function text(name: string, v: string, max: number, required: boolean): void {
  if (required && v.trim().length === 0) fail(`${name} is empty`);
  if (v.length > max) fail(`${name} has ${v.length} characters, more than the limit ${max}`);
}

export function validateOrder<T extends OrderFacts>(e: T, l: ValidationLimits, now = Date.now()): T {
  common(e, l, now);
  if (!Number.isInteger(e.quantity) || e.quantity === 0) fail(`quantity ${e.quantity} must be a non-zero integer`);
  if (Math.abs(e.quantity) > l.maxOrderQuantity) fail(`quantity ${e.quantity} exceeds the limit ${l.maxOrderQuantity}`);
  if (e.kind === 'ORDER' && e.quantity < 0) fail('an ORDER has a negative quantity (use CANCELLATION or RETURN)');
  if (e.kind !== 'ORDER' && e.quantity > 0) fail(`a ${e.kind} must carry a negative quantity`);
  if (!Number.isFinite(e.unitPrice) || e.unitPrice < 0 || e.unitPrice > l.maxUnitPrice) fail(`unitPrice ${e.unitPrice} is not in [0, ${l.maxUnitPrice}]`);
  return e;
}

export function validateReview(e: ReviewEvent, l: ValidationLimits, now = Date.now()): ReviewEvent {
  common(e, l, now);
  if (!Number.isFinite(e.rating) || e.rating < 1 || e.rating > 5) fail(`rating ${e.rating} is not in [1, 5]`);
  text('text', e.text, l.maxTextChars, false);
  return e;
}

export function validateListing(e: ListingEvent, l: ValidationLimits, now = Date.now()): ListingEvent {
  common(e, l, now);
  text('title', e.title, l.maxTextChars, true);
  text('description', e.description, l.maxTextChars, false);
  if (!Number.isFinite(e.price) || e.price <= 0 || e.price > l.maxUnitPrice) fail(`price ${e.price} is not in (0, ${l.maxUnitPrice}]`);
  return e;
}

export function validateInventory(e: InventoryEvent, l: ValidationLimits, now = Date.now()): InventoryEvent {
  common(e, l, now);
  for (const k of ['onHand', 'onOrder'] as const) if (!Number.isInteger(e[k]) || e[k] < 0) fail(`${k} ${e[k]} must be a non-negative integer`);
  if (!Number.isInteger(e.leadTimeDays) || e.leadTimeDays < 1 || e.leadTimeDays > 365) fail(`leadTimeDays ${e.leadTimeDays} is not in [1, 365]`);
  return e;
}
