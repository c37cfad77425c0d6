import type { OrderFacts } from '../../domain/events';

/** The ARGV tail of one apply-orders call, after the five settings: see lua/apply-orders-3.lua. */
export type OrderCallArgs = (string | number | Buffer)[];

/** The dedupe sets of a product cover this many buckets each: four of them span the window. */
export function epochLength(maxBuckets: number): number {
  return Math.ceil(maxBuckets / 4);
}

/** One product's events of a chunk, in arrival order. */
class ProductEvents {
  readonly ids: string[] = [];
  readonly buckets: number[] = [];
  readonly quantities: number[] = [];
  newest = 0;
  push(e: OrderFacts, bucket: number): void {
    this.ids.push(e.eventId);
    this.buckets.push(bucket);
    this.quantities.push(e.quantity);
    if (e.eventTime > this.newest) this.newest = e.eventTime;
  }
}

/**
 * Cuts a chunk of order events into apply-orders calls: per product, at most `maxEvents` events per
 * call (Lua's unpack() has a stack limit of ~8000 values), grouped by the epoch of their bucket. Each
 * group carries its ids as one string and its events and per-bucket sums as packed doubles: the
 * client then encodes a handful of arguments per call instead of one per value, and the script adds
 * one sum per bucket. Repeats of an id within the chunk are left to the script, which counts them.
 */
export function orderCalls(events: OrderFacts[], bucketMs: number, maxBuckets: number, maxEvents: number): Map<string, OrderCallArgs[]> {
  const perSku = new Map<string, ProductEvents>();
  for (const e of events) {
    let p = perSku.get(e.sku);
    if (!p) perSku.set(e.sku, (p = new ProductEvents()));
    p.push(e, Math.floor(e.eventTime / bucketMs));
  }
  const epoch = epochLength(maxBuckets);
  const calls = new Map<string, OrderCallArgs[]>();
  for (const [sku, p] of perSku) {
    const list: OrderCallArgs[] = [];
    for (let i = 0; i < p.ids.length; i += maxEvents) list.push(callArgs(p, i, Math.min(p.ids.length, i + maxEvents), epoch));
    calls.set(sku, list);
  }
  return calls;
}

function callArgs(p: ProductEvents, from: number, to: number, epochLen: number): OrderCallArgs {
  const byEpoch = new Map<number, number[]>();
  for (let i = from; i < to; i++) {
    const ep = Math.floor(p.buckets[i] / epochLen);
    const idx = byEpoch.get(ep);
    if (idx) idx.push(i);
    else byEpoch.set(ep, [i]);
  }
  const args: OrderCallArgs = [epochLen, p.newest, byEpoch.size];
  for (const [ep, idx] of byEpoch) args.push(ep, ...groupArgs(p, idx));
  return args;
}

/** lowest bucket, joined ids, (bucket, quantity) pairs, (bucket, sum) pairs. */
function groupArgs(p: ProductEvents, idx: number[]): [number, string, Buffer, Buffer] {
  const evs = new Float64Array(2 * idx.length);
  const sums = new Map<number, number>();
  const ids: string[] = new Array(idx.length);
  let lowest = Infinity;
  idx.forEach((i, j) => {
    const k = p.buckets[i];
    const q = p.quantities[i];
    ids[j] = p.ids[i];
    evs[2 * j] = k;
    evs[2 * j + 1] = q;
    sums.set(k, (sums.get(k) ?? 0) + q);
    if (k < lowest) lowest = k;
  });
  const packed = new Float64Array(2 * sums.size);
  let j = 0;
  for (const [k, s] of sums) {
    packed[j++] = k;
    packed[j++] = s;
  }
  return [lowest, ids.join('\n'), Buffer.from(evs.buffer), Buffer.from(packed.buffer)];
}
