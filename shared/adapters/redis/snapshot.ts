import * as os from 'os';
import type { ProductSnapshot } from '../../domain/state';

/** The fields parseSnapshot reads, in the order read-products-n.lua returns their values. */
export const SNAPSHOT_FIELDS = {
  state: ['latest', 'oldest', 'level', 'trend', 'events', 'lastEventTime'],
  listing: ['eventId', 'title', 'description', 'category', 'brand', 'price', 'currency', 'eventTime', 'embedding', 'modelId'],
  reviews: ['count', 'ratingMean', 'ratingEwm', 'ratingEwmPrev', 'embedding', 'lastEventTime'],
} as const;

/** Values per product in a reply of read-products-n.lua: the fields above and the ring. */
export const REPLY_LENGTH = SNAPSHOT_FIELDS.state.length + 1 + SNAPSHOT_FIELDS.listing.length + SNAPSHOT_FIELDS.reviews.length;

/**
 * The values of one product in a reply of read-products-n.lua, from index `at` (field values in
 * SNAPSHOT_FIELDS order, the ring between state and listing), as a snapshot.
 */
export function parseReadReply(sku: string, reply: (Buffer | null)[], at = 0): ProductSnapshot {
  const { state, listing, reviews } = SNAPSHOT_FIELDS;
  const st: Record<string, string> = {};
  state.forEach((f, i) => isValue(reply[at + i]) && (st[f] = reply[at + i]!.toString('utf8')));
  const ring = reply[at + state.length];
  return parseSnapshot(sku, [st, ring && ring.length > 0 ? ring : null, record(listing, reply, at + state.length + 1), record(reviews, reply, at + state.length + 1 + listing.length)]);
}

const isValue = (v: Buffer | null | undefined): v is Buffer => v !== null && v !== undefined;

function record(fields: readonly string[], reply: (Buffer | null)[], from: number): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (let i = 0; i < fields.length; i++) if (isValue(reply[from + i])) out[fields[i]] = reply[from + i]!;
  return out;
}

/** Turns the raw hashes and the demand ring of one product into a snapshot. Kept apart from the store: pure and testable. */
export function parseSnapshot(
  sku: string,
  [state, ring, listing, reviews]: [Record<string, string>, Buffer | null, Record<string, Buffer>, Record<string, Buffer>],
): ProductSnapshot {
  const latest = state.latest === undefined ? null : Number(state.latest);
  let demandOut: ProductSnapshot['demand'] = null;
  let smoothing: ProductSnapshot['smoothing'] = null;
  if (latest !== null) {
    const slots = ring ? ring.length / 8 : 0;
    const oldest = Math.max(Number(state.oldest), latest - slots + 1);
    demandOut = { oldest, latest, values: ringValues(ring, slots, oldest, latest - oldest + 1) };
    smoothing = { level: Number(state.level), trend: Number(state.trend), latest };
  }
  return {
    sku,
    demand: demandOut,
    smoothing,
    orderEvents: Number(state.events ?? 0),
    lastOrderTime: Number(state.lastEventTime ?? 0),
    listing: listing.eventId ? parseListing(listing) : null,
    reviews: reviews.count ? parseReviews(reviews) : null,
  };
}

/**
 * Buckets oldest.. of the demand ring (apply-orders-n.lua holds bucket k in slot k % slots, as
 * little-endian doubles), n <= slots of them. A Float64Array: its doubles live off the JS heap,
 * which the worker's young-generation GC then does not copy. On a little-endian CPU the at most two
 * runs of slots are byte copies: a readDoubleLE per bucket was most of this function's time.
 */
function ringValues(ring: Buffer | null, slots: number, oldest: number, n: number): Float64Array {
  const values = new Float64Array(n);
  if (!ring || slots === 0 || n === 0) return values;
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < n; i++) values[i] = ring.readDoubleLE(((oldest + i) % slots) * 8);
    return values;
  }
  const start = oldest % slots;
  const first = Math.min(n, slots - start);
  // through bytes: the Buffer may share a pooled ArrayBuffer at an offset not divisible by 8
  const bytes = new Uint8Array(values.buffer);
  bytes.set(ring.subarray(start * 8, (start + first) * 8), 0);
  if (first < n) bytes.set(ring.subarray(0, (n - first) * 8), first * 8);
  return values;
}

const str = (b: Buffer | undefined) => (b ? b.toString('utf8') : '');
const num = (b: Buffer | undefined) => Number(str(b));

const LITTLE_ENDIAN = os.endianness() === 'LE';

function floats(b: Buffer | undefined): Float32Array | null {
  if (!b || b.length === 0 || b.length % 4 !== 0) return null;
  // copy: the Buffer may share a pooled ArrayBuffer at an unaligned offset
  const out = new Float32Array(b.length / 4);
  // the stored floats are little-endian: on such a CPU one byte copy (per-float reads were a hot spot)
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(b);
  else for (let i = 0; i < out.length; i++) out[i] = b.readFloatLE(i * 4);
  return out;
}

function parseListing(h: Record<string, Buffer>): NonNullable<ProductSnapshot['listing']> {
  return {
    title: str(h.title),
    description: str(h.description),
    category: str(h.category) || null,
    brand: str(h.brand) || null,
    price: num(h.price),
    currency: str(h.currency),
    eventTime: num(h.eventTime),
    embedding: floats(h.embedding),
    modelId: str(h.modelId),
  };
}

function parseReviews(h: Record<string, Buffer>): NonNullable<ProductSnapshot['reviews']> {
  return {
    count: num(h.count),
    ratingMean: num(h.ratingMean),
    ratingEwm: num(h.ratingEwm),
    ratingEwmPrev: num(h.ratingEwmPrev),
    embedding: floats(h.embedding),
    lastEventTime: num(h.lastEventTime),
  };
}
