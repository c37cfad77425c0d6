import { PoisonMessageError } from '../errors';
import type { ListingEvent, OrderFacts, RawOrder, ReviewEvent, InventoryEvent } from './events';

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

/** Bytes allowed in a product id: the class of SKU above, [A-Za-z0-9._:-] (the first byte not ._:-). */
const SKU_BYTE = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-') SKU_BYTE[c.charCodeAt(0)] = 1;

/**
 * The byte-level twin of validateOrder for the order consumer's fast path: true only when
 * validateOrder accepts the order these bytes decode to. It is stricter: an id must be printable
 * ASCII (bytes 0x20..0x7f, where characters are bytes) and at most 200 bytes. Anything else, valid
 * or not, is answered false and takes the full decode and validateOrder, which give the reason.
 * test/unit/pipeline/order-reader.test.ts holds the two to the same answers.
 */
export function rawOrderValid(buf: Uint8Array, o: RawOrder, l: ValidationLimits, now: number): boolean {
  const idLen = o.idEnd - o.idStart;
  if (idLen < 1 || idLen > 200) return false;
  for (let i = o.idStart; i < o.idEnd; i++) if (buf[i] < 0x20 || buf[i] > 0x7f) return false;
  const skuLen = o.skuEnd - o.skuStart;
  if (skuLen < 1 || skuLen > 64) return false;
  const first = buf[o.skuStart];
  if (first === 0x2e || first === 0x5f || first === 0x3a || first === 0x2d) return false;
  for (let i = o.skuStart; i < o.skuEnd; i++) if (buf[i] > 0x7f || SKU_BYTE[buf[i]] === 0) return false;
  const t = o.eventTime;
  if (!(t >= EARLIEST) || t > now + l.maxFutureSkewMs) return false;
  const q = o.quantity;
  if (!Number.isInteger(q) || q === 0 || Math.abs(q) > l.maxOrderQuantity) return false;
  if ((o.kind === 0) !== q > 0) return false; // ORDER positive; CANCELLATION and RETURN negative
  const p = o.unitPrice;
  return Number.isFinite(p) && p >= 0 && p <= l.maxUnitPrice;
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
