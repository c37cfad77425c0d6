import type Redis from 'ioredis';
import { connectRedis, createRedis } from './connection';
import { pipelineCall, redisCall } from './guard';
import type { Logger } from '../../log';
import type { Histogram } from 'prom-client';
import { ConfigError, TrendcastError } from '../../errors';
import type { ListingEvent, OrderFacts } from '../../domain/events';
import {
  addStats, EMPTY_STATS, groupBySku,
  type ApplyStats, type EmbeddedListing, type EmbeddedReview, type OrderSink, type ProductSnapshot, type SeriesSettings, type StateStore,
} from '../../domain/state';
import { globalKeys, productKeys } from './keys';
import { registerScripts, scriptSource, type ReadProductsReply, type ScriptCommands } from './scripts';
import { FramedScript } from './resp';
import { parseReadReply, REPLY_LENGTH } from './snapshot';
import { epochLength, OrderBatch, packCalls } from './order-args';
import { withRetry } from '../../retry';

type Client = Redis & ScriptCommands;

/** Ids of this many most recent reviews per product are remembered for deduplication. */
const REVIEW_DEDUPE_MEMORY = 100000;
/** A product's events per piece of a call (Lua's unpack() has a stack limit of ~8000 values). */
const MAX_EVENTS_PER_PIECE = 2000;
/** An apply-orders call carries up to this many products, and events unless one product has more (order-args.ts: packCalls). */
const MAX_PRODUCTS_PER_CALL = 64;
const MAX_EVENTS_PER_CALL = 1000;
/** apply-orders-n, sent as a frame built at prepare time (resp.ts: the client's own encoding cost more than the rest of the call). */
const APPLY_ORDERS = new FramedScript(scriptSource('apply-orders-n'));
const READ_PRODUCTS = new FramedScript(scriptSource('read-products-n'));
/**
 * Products per read-products-n call. At 250 Redis spent ~12 ms more per 3,000 products than with a
 * call per product (session 11 saw that too, with a call per batch); at 64 it spends about the same
 * and the forecaster's read ~40% less CPU (BENCHMARKS.md "Session 20").
 */
const READ_CHUNK = 64;

export class RedisStateStore implements StateStore {
  readonly redis: Client;
  /**
   * Small commands that a chunk waits for (its products' marks, the consumer's checkpoints) on a
   * connection of their own. On `redis` they queue behind the script calls of the chunks sent
   * since, and the chunk then waited for the next chunk's storing too: a pipeline one chunk deep.
   * Each is sent after the replies of what it follows, so Redis has executed that before it.
   */
  readonly control: Client;
  private readonly g: ReturnType<typeof globalKeys>;

  /**
   * timeoutMs: REDIS_TIMEOUT_MS (connection.ts: how long without a reply means Redis is unreachable).
   * opts.control false: one connection (control is redis), for a process that does not store events
   * (the forecaster reads and publishes; its commands do not queue behind script calls).
   */
  constructor(url: string, private readonly prefix: string, private readonly s: SeriesSettings, private readonly latency?: Histogram<string>, private readonly log?: Logger, timeoutMs?: number, opts: { control?: boolean } = {}) {
    this.redis = createRedis(url, log, timeoutMs) as Client;
    this.control = opts.control === false ? this.redis : (createRedis(url, log, timeoutMs, { second: true, primary: this.redis }) as Client);
    registerScripts(this.redis);
    if (this.control !== this.redis) registerScripts(this.control);
    this.g = globalKeys(prefix);
  }

  private get connections(): Client[] {
    return this.control === this.redis ? [this.redis] : [this.redis, this.control];
  }

  async connect(): Promise<void> {
    await connectRedis(this.connections);
    // the first command of a process that is still loading can wait past REDIS_TIMEOUT_MS with the
    // reply already there (a blocked event loop runs the timer first): a few tries, not an exit
    await withRetry(() => this.checkSettings(), {
      retries: 3, initialMs: 200, maxMs: 2000,
      onRetry: (err, attempt) => this.log?.warn('redis settings check failed; trying again', { attempt, err: err.message }),
    });
  }

  /**
   * The state is only meaningful for the settings it was built with: a ring of another length puts
   * buckets in the wrong slots, another bucket length or smoothing factor mixes two series. The
   * first service to connect records them; any later one with other values stops at start-up,
   * naming the variable, instead of corrupting what is there.
   */
  private async checkSettings(): Promise<void> {
    const want: [string, number][] = [['BUCKET_MS', this.s.bucketMs], ['SERIES_MAX_BUCKETS', this.s.maxBuckets], ['SMOOTHING_ALPHA', this.s.alpha], ['SMOOTHING_BETA', this.s.beta]];
    const pipe = this.redis.pipeline();
    for (const [name, v] of want) pipe.hsetnx(this.g.settings, name, String(v));
    pipe.hmget(this.g.settings, ...want.map(([name]) => name));
    const replies = await pipelineCall(pipe.exec(), 'check_settings', this.latency);
    const stored = replies[want.length] as (string | null)[];
    want.forEach(([name, v], i) => {
      if (stored[i] !== null && Number(stored[i]) !== v) {
        throw new ConfigError(name, `is ${v}, but the state under KEY_PREFIX "${this.prefix}" was built with ${stored[i]}; set it back, or use a new KEY_PREFIX to build the state afresh`);
      }
    });
  }

  applyOrders(events: OrderFacts[]): Promise<ApplyStats> {
    return this.prepareOrders(events)();
  }

  /** The script calls are built once from the events (which the caller may then drop) and sent on each run. */
  prepareOrders(events: OrderFacts[]): () => Promise<ApplyStats> {
    const batch = new OrderBatch(this.s.bucketMs);
    for (const e of events) batch.add(e);
    return this.prepareBatch(batch);
  }

  orderSink(): OrderSink {
    const batch = new OrderBatch(this.s.bucketMs);
    return {
      addRaw: (buf, o) => batch.addRaw(buf, o),
      add: (e) => batch.add(e),
      get size() {
        return batch.size;
      },
      prepare: () => this.prepareBatch(batch),
    };
  }

  private prepareBatch(batch: OrderBatch): () => Promise<ApplyStats> {
    const { alpha, beta, maxBuckets, bucketMs } = this.s;
    const pieces = batch.pieces(maxBuckets, MAX_EVENTS_PER_PIECE);
    const skus = batch.skus();
    const calls = packCalls(pieces, (sku) => orderKeys(productKeys(this.prefix, sku)), MAX_EVENTS_PER_CALL, MAX_PRODUCTS_PER_CALL);
    const newest = Math.max(0, batch.newest);
    const settings = [alpha, beta, maxBuckets, bucketMs, epochLength(maxBuckets)];
    const frames = calls.map((c) => APPLY_ORDERS.frame([c.keys.length], c.keys, settings, c.args));
    return async () => {
      const results = await this.guard(Promise.all(frames.map((f) => APPLY_ORDERS.send<[number, number, number]>(this.redis, f))), 'apply_orders');
      await this.touch(skus, newest);
      let stats = EMPTY_STATS;
      for (const [applied, duplicates, tooLate] of results) stats = addStats(stats, { applied, duplicates, tooLate });
      return stats;
    };
  }

  async applyReviews(items: EmbeddedReview[]): Promise<ApplyStats> {
    const groups = groupBySku(items, (r) => r.event.sku);
    const calls: Promise<[number, number]>[] = [];
    for (const [sku, list] of groups) {
      const k = productKeys(this.prefix, sku);
      const dim = list.find((r) => r.embedding)?.embedding?.length ?? 0;
      const args: (string | number | Buffer)[] = [k.reviews, k.seenReviews, this.s.reviewDecay, dim, REVIEW_DEDUPE_MEMORY];
      for (const { event: e, embedding } of list) args.push(e.eventId, e.eventTime, e.rating, toBytes(embedding));
      calls.push(this.redis.applyReviews(...args));
    }
    const results = await this.guard(Promise.all(calls), 'apply_reviews');
    await this.touch([...groups.keys()], null);
    return results.reduce<ApplyStats>((s, [applied, duplicates]) => addStats(s, { applied, duplicates, tooLate: 0 }), EMPTY_STATS);
  }

  async applyListings(items: EmbeddedListing[]): Promise<ApplyStats> {
    const calls = items.map(({ event: e, embedding, modelId }) =>
      this.redis.applyListing(productKeys(this.prefix, e.sku).listing, ...listingArgs(e), toBytes(embedding), modelId),
    );
    const results = await this.guard(Promise.all(calls), 'apply_listings');
    await this.touch([...new Set(items.map((i) => i.event.sku))], null);
    const applied = results.reduce((a, r) => a + r, 0);
    return { applied, duplicates: results.length - applied, tooLate: 0 };
  }

  async read(skus: string[]): Promise<ProductSnapshot[]> {
    // one script call per READ_CHUNK products (read-products-n.lua), sent as a frame: with a call
    // per product, the client's work per command (its object, promise and reply) was ~40% of the
    // read's CPU; a chunk also bounds how long one call holds Redis (~25 us per product here)
    const calls: Promise<ProductSnapshot[]>[] = [];
    for (let i = 0; i < skus.length; i += READ_CHUNK) {
      const part = skus.slice(i, i + READ_CHUNK);
      const keys: string[] = [];
      for (const sku of part) {
        const k = productKeys(this.prefix, sku);
        keys.push(k.state, k.demand, k.listing, k.reviews);
      }
      calls.push(READ_PRODUCTS.send<ReadProductsReply>(this.redis, READ_PRODUCTS.frame([keys.length], keys)).then((reply) => part.map((sku, j) => parseReadReply(sku, reply, j * REPLY_LENGTH))));
    }
    // a key of the wrong type fails its chunk on every read (permanent), unlike a lost connection:
    // the forecaster narrows it down to the product (ForecastJob.readSafely)
    return (await this.guard(Promise.all(calls), 'read')).flat();
  }

  listProducts(): Promise<string[]> {
    return this.guard(this.redis.smembers(this.g.products), 'list_products');
  }

  takeDirty(nowMs: number, quietMs: number, limit: number): Promise<string[]> {
    return this.guard(this.redis.takeDirty(this.g.dirty, nowMs - quietMs, limit), 'take_dirty');
  }

  async watermark(): Promise<number> {
    const v = await this.guard(this.redis.zscore(this.g.watermark, 'w'), 'watermark');
    return v === null ? 0 : Number(v);
  }

  /** Every connection is up. */
  get ready(): boolean {
    return this.connections.every((c) => c.status === 'ready');
  }

  async close(): Promise<void> {
    await Promise.all(this.connections.map((c) => c.quit().catch(() => c.disconnect())));
  }

  /**
   * Registers products, marks them dirty for the forecaster and, for orders, advances the watermark
   * (ZADD GT = atomic max). Only orders move it: it is the demand clock, and a listing or review
   * consumer that runs ahead of a lagging order consumer must not make orders not yet stored read
   * as days without sales (nor can a misdated listing move every forecast's origin).
   */
  private async touch(skus: string[], maxOrderTime: number | null): Promise<void> {
    if (skus.length === 0) return;
    const now = Date.now();
    const pipe = this.control.pipeline().sadd(this.g.products, ...skus);
    pipe.zadd(this.g.dirty, ...skus.flatMap((s) => [now, s]));
    if (maxOrderTime !== null) pipe.zadd(this.g.watermark, 'GT', maxOrderTime, 'w');
    // a failed command here must fail the chunk, else it is committed with its products not marked
    // for the forecaster or the demand clock behind; retriable even when Redis refuses for good (a
    // global key of the wrong type): it is no fault of the events, so none may be dead-lettered
    try {
      await pipelineCall(pipe.exec(), 'touch', this.latency);
    } catch (err) {
      throw new TrendcastError('STORE_UNAVAILABLE', (err as Error).message, { retriable: true, cause: err });
    }
  }

  private guard<T>(p: Promise<T>, op: string): Promise<T> {
    return redisCall(p, op, this.latency);
  }

}

function toBytes(v: Float32Array | null): Buffer {
  return v ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : Buffer.alloc(0);
}

function listingArgs(e: ListingEvent): (string | number)[] {
  return [e.eventId, e.eventTime, e.title, e.description, e.category ?? '', e.brand ?? '', e.price, e.currency];
}

/** The three keys of a product that apply-orders-n.lua takes, in its order. */
function orderKeys(k: ReturnType<typeof productKeys>): string[] {
  return [k.state, k.demand, k.seenOrders];
}
