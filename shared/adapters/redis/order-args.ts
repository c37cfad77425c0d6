import type { OrderFacts } from '../../domain/events';

/** The ARGV tail of one apply-orders call, after the five settings: see lua/apply-orders-3.lua. */
export type OrderCallArgs = (string | number | Buffer)[];

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
export function orderCalls(events: OrderFacts[], bucketMs: number, maxBuckets: number, maxEvents: number): Map<string, OrderCallArgs[]> {
  const perSku = new Map<string, ProductEvents>();
  for (const e of events) {
    let p = perSku.get(e.sku);
    if (!p) perSku.set(e.sku, (p = new ProductEvents()));
    p.ids.push(e.eventId);
    p.pairs.push(Math.floor(e.eventTime / bucketMs), e.quantity);
    if (e.eventTime > p.newest) p.newest = e.eventTime;
  }
  const epochLen = epochLength(maxBuckets);
  const calls = new Map<string, OrderCallArgs[]>();
  for (const [sku, p] of perSku) {
    const list: OrderCallArgs[] = [];
    for (let i = 0; i < p.ids.length; i += maxEvents) list.push(callArgs(p, i, Math.min(p.ids.length, i + maxEvents), epochLen));
    calls.set(sku, list);
  }
  return calls;
}

function callArgs(p: ProductEvents, from: number, to: number, epochLen: number): OrderCallArgs {
  const first = Math.floor(p.pairs[2 * from] / epochLen);
  let oneEpoch = true;
  for (let i = from + 1; i < to && oneEpoch; i++) oneEpoch = Math.floor(p.pairs[2 * i] / epochLen) === first;
  if (oneEpoch) return [epochLen, p.newest, 1, first, ...groupArgs(p, from, to, null)];
  // events of a call straddling epochs (rare: a quarter of the window apart)
  const byEpoch = new Map<number, number[]>();
  for (let i = from; i < to; i++) {
    const ep = Math.floor(p.pairs[2 * i] / epochLen);
    const idx = byEpoch.get(ep);
    if (idx) idx.push(i);
    else byEpoch.set(ep, [i]);
  }
  const args: OrderCallArgs = [epochLen, p.newest, byEpoch.size];
  for (const [ep, idx] of byEpoch) args.push(ep, ...groupArgs(p, 0, idx.length, idx));
  return args;
}

/** lowest bucket, joined ids, (bucket, quantity) pairs, (bucket, sum) pairs; of events from..to, or of idx[from..to]. */
function groupArgs(p: ProductEvents, from: number, to: number, idx: number[] | null): [number, string, Buffer, Buffer] {
  const n = to - from;
  const evs = new Float64Array(2 * n);
  const ids: string[] = new Array(n);
  const sums = new Map<number, number>();
  let lowest = Infinity;
  for (let j = 0; j < n; j++) {
    const i = idx ? idx[from + j] : from + j;
    const k = p.pairs[2 * i];
    const q = p.pairs[2 * i + 1];
    ids[j] = p.ids[i];
    evs[2 * j] = k;
    evs[2 * j + 1] = q;
    sums.set(k, (sums.get(k) ?? 0) + q);
    if (k < lowest) lowest = k;
  }
  const packed = new Float64Array(2 * sums.size);
  let j = 0;
  for (const [k, sum] of sums) {
    packed[j++] = k;
    packed[j++] = sum;
  }
  return [lowest, ids.join('\n'), Buffer.from(evs.buffer), Buffer.from(packed.buffer)];
}
