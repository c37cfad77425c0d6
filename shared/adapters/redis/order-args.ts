import type { OrderFacts, RawOrder } from '../../domain/events';

/** One product's part of an apply-orders call's ARGV, after the five settings: see lua/apply-orders-n.lua. */
export type OrderCallArgs = (string | number | Buffer)[];

/** A product's events for one call: its arguments, and how many events they carry. */
export interface OrderPiece {
  sku: string;
  events: number;
  args: OrderCallArgs;
}

/** One apply-orders call: three keys per product, and the products' arguments in the same order. */
export interface OrderCall {
  keys: string[];
  args: OrderCallArgs;
}

/** The dedupe sets of a product cover this many buckets each: four of them span the window. */
export function epochLength(maxBuckets: number): number {
  return Math.ceil(maxBuckets / 4);
}

/** One product's events of a chunk, in arrival order: where their ids are in the batch's bytes, and (bucket, quantity) pairs. */
class ProductEvents {
  /** (start, end) of each id in OrderBatch.bytes. */
  readonly ids: number[] = [];
  readonly pairs: number[] = [];
  newest = 0;
  /** The next product whose sku has the same hash. */
  next: ProductEvents | null = null;
  constructor(readonly sku: string) {}

  get count(): number {
    return this.pairs.length / 2;
  }
}

/**
 * A chunk's order events, grouped by product as they come, ready to be cut into apply-orders calls.
 * Events come either decoded (add) or as the bytes of a message (addRaw, the order consumer's fast
 * path: no string or object per event; the product is found by a hash of its sku's characters,
 * which are its bytes, since a valid sku is ASCII). The ids are copied into one buffer of the batch,
 * as UTF-8 in both cases, so the calls do not depend on which path an event took.
 * This runs for every event the consumer takes in, hence the plain arrays and loops.
 */
export class OrderBatch {
  private readonly byHash = new Map<number, ProductEvents>();
  private readonly products: ProductEvents[] = [];
  private bytes = Buffer.allocUnsafe(64 * 1024);
  private used = 0;
  size = 0;
  /** The newest event time of the batch (-Infinity when empty). */
  newest = -Infinity;

  constructor(private readonly bucketMs: number) {}

  /** A valid order (rawOrderValid: its sku and id are ASCII) straight from the bytes of its message. */
  addRaw(buf: Uint8Array, o: RawOrder): void {
    let h = FNV_START;
    for (let i = o.skuStart; i < o.skuEnd; i++) h = Math.imul(h ^ buf[i], FNV_PRIME);
    let p = this.byHash.get(h) ?? null;
    while (p && !sameChars(p.sku, buf, o.skuStart, o.skuEnd)) p = p.next;
    p ??= this.newProduct(h, latin1(buf, o.skuStart, o.skuEnd));
    const len = o.idEnd - o.idStart;
    const at = this.room(len);
    const bytes = this.bytes;
    for (let i = 0; i < len; i++) bytes[at + i] = buf[o.idStart + i];
    this.push(p, at, len, o.eventTime, o.quantity);
  }

  add(e: OrderFacts): void {
    const sku = e.sku;
    let h = FNV_START;
    for (let i = 0; i < sku.length; i++) h = Math.imul(h ^ sku.charCodeAt(i), FNV_PRIME);
    let p = this.byHash.get(h) ?? null;
    while (p && p.sku !== sku) p = p.next;
    p ??= this.newProduct(h, sku);
    const len = Buffer.byteLength(e.eventId, 'utf8');
    const at = this.room(len);
    this.bytes.write(e.eventId, at, len, 'utf8');
    this.push(p, at, len, e.eventTime, e.quantity);
  }

  skus(): string[] {
    return this.products.map((p) => p.sku);
  }

  /**
   * Per product, pieces of at most `maxEvents` events (Lua's unpack() has a stack limit of ~8000
   * values), grouped by the epoch of their bucket. Each group carries its ids as one string and
   * its events and per-bucket sums as packed doubles: the client then encodes a handful of
   * arguments per product instead of one per value, and the script adds one sum per bucket.
   * Repeats of an id within the chunk are left to the script, which counts them.
   */
  pieces(maxBuckets: number, maxEvents: number): OrderPiece[] {
    const epochLen = epochLength(maxBuckets);
    const pieces: OrderPiece[] = [];
    for (const p of this.products) {
      const n = p.count;
      for (let i = 0; i < n; i += maxEvents) {
        const to = Math.min(n, i + maxEvents);
        pieces.push({ sku: p.sku, events: to - i, args: callArgs(p, this.bytes, i, to, epochLen) });
      }
    }
    return pieces;
  }

  /** An event of p whose id was just written at bytes[at..at + len). */
  private push(p: ProductEvents, at: number, len: number, eventTime: number, quantity: number): void {
    this.used = at + len;
    p.ids.push(at, at + len);
    p.pairs.push(Math.floor(eventTime / this.bucketMs), quantity);
    if (eventTime > p.newest) p.newest = eventTime;
    if (eventTime > this.newest) this.newest = eventTime;
    this.size++;
  }

  private newProduct(hash: number, sku: string): ProductEvents {
    const p = new ProductEvents(sku);
    p.next = this.byHash.get(hash) ?? null;
    this.byHash.set(hash, p);
    this.products.push(p);
    return p;
  }

  /** Where `len` more bytes of ids go (the buffer doubles when full). */
  private room(len: number): number {
    if (this.used + len > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.used + len));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    return this.used;
  }
}

const FNV_START = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** The sku's characters are these bytes (a valid sku is ASCII: one byte per character). */
function sameChars(sku: string, buf: Uint8Array, from: number, to: number): boolean {
  if (sku.length !== to - from) return false;
  for (let i = 0; i < sku.length; i++) if (sku.charCodeAt(i) !== buf[from + i]) return false;
  return true;
}

function latin1(buf: Uint8Array, from: number, to: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + from, to - from).toString('latin1');
}

/** The pieces of decoded events (see OrderBatch.pieces). */
export function orderPieces(events: OrderFacts[], bucketMs: number, maxBuckets: number, maxEvents: number): OrderPiece[] {
  const batch = new OrderBatch(bucketMs);
  for (const e of events) batch.add(e);
  return batch.pieces(maxBuckets, maxEvents);
}

/**
 * Packs the pieces into calls of at most `maxProducts` pieces and, unless one piece alone is larger,
 * `maxEvents` events. A call costs the client tens of microseconds of CPU whatever it carries, so
 * one per product made the client, not Redis, the order consumer's bottleneck; the caps keep one
 * script from holding Redis (single-threaded) for more than a few milliseconds.
 */
export function packCalls(pieces: OrderPiece[], keysOf: (sku: string) => string[], maxEvents: number, maxProducts: number): OrderCall[] {
  const calls: OrderCall[] = [];
  let cur: OrderCall | null = null;
  let events = 0;
  let products = 0;
  for (const piece of pieces) {
    if (!cur || products >= maxProducts || (events > 0 && events + piece.events > maxEvents)) {
      calls.push((cur = { keys: [], args: [] }));
      events = 0;
      products = 0;
    }
    for (const k of keysOf(piece.sku)) cur.keys.push(k);
    for (const a of piece.args) cur.args.push(a);
    events += piece.events;
    products++;
  }
  return calls;
}

function callArgs(p: ProductEvents, bytes: Buffer, from: number, to: number, epochLen: number): OrderCallArgs {
  const first = Math.floor(p.pairs[2 * from] / epochLen);
  let oneEpoch = true;
  for (let i = from + 1; i < to && oneEpoch; i++) oneEpoch = Math.floor(p.pairs[2 * i] / epochLen) === first;
  if (oneEpoch) return [p.newest, 1, first, ...groupArgs(p, bytes, from, to, null, epochLen)];
  // events of a call straddling epochs (rare: a quarter of the window apart)
  const byEpoch = new Map<number, number[]>();
  for (let i = from; i < to; i++) {
    const ep = Math.floor(p.pairs[2 * i] / epochLen);
    const idx = byEpoch.get(ep);
    if (idx) idx.push(i);
    else byEpoch.set(ep, [i]);
  }
  const args: OrderCallArgs = [p.newest, byEpoch.size];
  for (const [ep, idx] of byEpoch) args.push(ep, ...groupArgs(p, bytes, 0, idx.length, idx, epochLen));
  return args;
}

/**
 * Per-bucket sums of one group, whose buckets all lie in one epoch: a dense array indexed from the
 * epoch's first bucket, reused from call to call (a Map of sums cost more than the rest of the
 * group's work), with the order in which buckets first appear.
 */
let sumOf = new Float64Array(0);
let seen = new Uint8Array(0);
let order = new Int32Array(0);

/** lowest bucket, joined ids, (bucket, quantity) pairs, (bucket, sum) pairs; of events from..to, or of idx[from..to]. */
function groupArgs(p: ProductEvents, bytes: Buffer, from: number, to: number, idx: number[] | null, epochLen: number): [number, Buffer, Buffer, Buffer] {
  const n = to - from;
  if (sumOf.length < epochLen) [sumOf, seen, order] = [new Float64Array(epochLen), new Uint8Array(epochLen), new Int32Array(epochLen)];
  const evs = new Float64Array(2 * n);
  const base = Math.floor(p.pairs[2 * (idx ? idx[from] : from)] / epochLen) * epochLen;
  let distinct = 0;
  let lowest = Infinity;
  for (let j = 0; j < n; j++) {
    const i = idx ? idx[from + j] : from + j;
    const k = p.pairs[2 * i];
    const q = p.pairs[2 * i + 1];
    evs[2 * j] = k;
    evs[2 * j + 1] = q;
    const slot = k - base;
    if (seen[slot] === 0) {
      seen[slot] = 1;
      sumOf[slot] = 0;
      order[distinct++] = slot;
    }
    sumOf[slot] += q;
    if (k < lowest) lowest = k;
  }
  const packed = new Float64Array(2 * distinct);
  for (let d = 0; d < distinct; d++) {
    const slot = order[d];
    packed[2 * d] = base + slot;
    packed[2 * d + 1] = sumOf[slot];
    seen[slot] = 0;
  }
  return [lowest, joinedIds(p, bytes, from, to, idx), Buffer.from(evs.buffer), Buffer.from(packed.buffer)];
}

/** The ids of events from..to (or idx[from..to]) joined by '\n', copied out of the batch's bytes. */
function joinedIds(p: ProductEvents, bytes: Buffer, from: number, to: number, idx: number[] | null): Buffer {
  let total = to - from - 1;
  for (let j = from; j < to; j++) {
    const i = idx ? idx[j] : j;
    total += p.ids[2 * i + 1] - p.ids[2 * i];
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (let j = from; j < to; j++) {
    const i = idx ? idx[j] : j;
    if (j > from) out[at++] = 0x0a;
    for (let b = p.ids[2 * i], e = p.ids[2 * i + 1]; b < e; b++) out[at++] = bytes[b];
  }
  return out;
}
