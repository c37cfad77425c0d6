import type { OrderFacts } from '../../domain/events';

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

/** One product's events of a chunk, in arrival order: ids, and (bucket, quantity) pairs. */
class ProductEvents {
  readonly ids: string[] = [];
  readonly pairs: number[] = [];
  newest = 0;
}

/**
 * Cuts a chunk of order events into apply-orders calls: per product, at most `maxEvents` events per
 * call (Lua's unpack() has a stack limit of ~8000 values), grouped by the epoch of their bucket. Each
 * group carries its ids as one string and its events and per-bucket sums as packed doubles: the
 * client then encodes a handful of arguments per call instead of one per value, and the script adds
 * one sum per bucket. Repeats of an id within the chunk are left to the script, which counts them.
 * This runs for every event the consumer takes in, hence the plain arrays and loops.
 */
export function orderPieces(events: OrderFacts[], bucketMs: number, maxBuckets: number, maxEvents: number): OrderPiece[] {
  const perSku = new Map<string, ProductEvents>();
  for (const e of events) {
    let p = perSku.get(e.sku);
    if (!p) perSku.set(e.sku, (p = new ProductEvents()));
    p.ids.push(e.eventId);
    p.pairs.push(Math.floor(e.eventTime / bucketMs), e.quantity);
    if (e.eventTime > p.newest) p.newest = e.eventTime;
  }
  const epochLen = epochLength(maxBuckets);
  const pieces: OrderPiece[] = [];
  for (const [sku, p] of perSku) {
    for (let i = 0; i < p.ids.length; i += maxEvents) {
      const to = Math.min(p.ids.length, i + maxEvents);
      pieces.push({ sku, events: to - i, args: callArgs(p, i, to, epochLen) });
    }
  }
  return pieces;
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

function callArgs(p: ProductEvents, from: number, to: number, epochLen: number): OrderCallArgs {
  const first = Math.floor(p.pairs[2 * from] / epochLen);
  let oneEpoch = true;
  for (let i = from + 1; i < to && oneEpoch; i++) oneEpoch = Math.floor(p.pairs[2 * i] / epochLen) === first;
  if (oneEpoch) return [p.newest, 1, first, ...groupArgs(p, from, to, null, epochLen)];
  // events of a call straddling epochs (rare: a quarter of the window apart)
  const byEpoch = new Map<number, number[]>();
  for (let i = from; i < to; i++) {
    const ep = Math.floor(p.pairs[2 * i] / epochLen);
    const idx = byEpoch.get(ep);
    if (idx) idx.push(i);
    else byEpoch.set(ep, [i]);
  }
  const args: OrderCallArgs = [p.newest, byEpoch.size];
  for (const [ep, idx] of byEpoch) args.push(ep, ...groupArgs(p, 0, idx.length, idx, epochLen));
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
function groupArgs(p: ProductEvents, from: number, to: number, idx: number[] | null, epochLen: number): [number, string, Buffer, Buffer] {
  const n = to - from;
  if (sumOf.length < epochLen) [sumOf, seen, order] = [new Float64Array(epochLen), new Uint8Array(epochLen), new Int32Array(epochLen)];
  const evs = new Float64Array(2 * n);
  const ids: string[] = new Array(n);
  const base = Math.floor(p.pairs[2 * (idx ? idx[from] : from)] / epochLen) * epochLen;
  let distinct = 0;
  let lowest = Infinity;
  for (let j = 0; j < n; j++) {
    const i = idx ? idx[from + j] : from + j;
    const k = p.pairs[2 * i];
    const q = p.pairs[2 * i + 1];
    ids[j] = p.ids[i];
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
  return [lowest, ids.join('\n'), Buffer.from(evs.buffer), Buffer.from(packed.buffer)];
}
