import type Redis from 'ioredis';
import { connectRedis, createRedis } from '../../shared/adapters/redis/connection';
import { pipelineCall, redisCall } from '../../shared/adapters/redis/guard';
import type { Logger } from '../../shared/log';
import type { Histogram } from 'prom-client';
import type { AlertView, RestockState, StockView, TrendView } from '../../shared/domain/restock';
import { productKeys } from '../../shared/adapters/redis/keys';
import { registerScripts, type ScriptCommands } from '../../shared/adapters/redis/scripts';

type Client = Redis & ScriptCommands;

export interface Loaded {
  state: RestockState;
  /** Compare-and-set version of the product's restock state (0 = never written). */
  version: number;
  /** Alerts decided but not acknowledged as published: in flight elsewhere, or left by a crash. */
  outbox: string[];
}

/**
 * Per-product restock state in Redis: stock, newest trend and alert under the product's hash tag,
 * written by one Lua compare-and-set together with the alert to emit (an outbox), so a decision and
 * its alert are stored atomically and an alert is re-sent after a crash rather than lost.
 */
export class RestockStore {
  readonly redis: Client;

  constructor(url: string, private readonly prefix: string, private readonly latency?: Histogram<string>, log?: Logger, timeoutMs?: number) {
    this.redis = createRedis(url, log, timeoutMs) as Client;
    registerScripts(this.redis);
  }

  async connect(): Promise<void> {
    await connectRedis([this.redis]);
  }

  async load(sku: string): Promise<Loaded> {
    const k = productKeys(this.prefix, sku);
    // a key of the wrong type fails the same way on every try: permanent (guard.ts), so the stage
    // dead-letters that product's messages instead of retrying the whole chunk for ever
    const pipe = this.redis.pipeline().hgetall(k.alert).hgetall(k.inventory).hgetall(k.restockTrend).lrange(k.restockOutbox, 0, -1);
    const [alert, stock, trend, outbox] = (await pipelineCall(pipe.exec(), 'restock_load', this.latency)) as [Record<string, string>, Record<string, string>, Record<string, string>, string[]];
    return {
      state: { sku, alert: parseAlert(alert), stock: parseStock(stock), trend: parseTrend(trend) },
      version: Number(alert.version ?? 0),
      outbox,
    };
  }

  /** Writes the parts of `next` that differ from `prev`; null when the version moved (retry). */
  async commit(prev: Loaded, next: RestockState, queued: string | null): Promise<string[] | null> {
    const k = productKeys(this.prefix, next.sku);
    const alert = next.alert !== prev.state.alert && next.alert ? pairs({ state: next.alert.state, alertId: next.alert.alertId }) : [];
    const stock = next.stock !== prev.state.stock && next.stock ? pairs({ ...next.stock }) : [];
    const trend = next.trend !== prev.state.trend && next.trend ? pairs({ ...next.trend, p50: JSON.stringify(next.trend.p50), p90: JSON.stringify(next.trend.p90), leadP90: JSON.stringify(next.trend.leadP90) }) : [];
    const args = [k.alert, k.inventory, k.restockTrend, k.restockOutbox, prev.version, alert.length / 2, stock.length / 2, trend.length / 2, queued ?? '', ...alert, ...stock, ...trend];
    const res = await this.guard(this.redis.restockCommit(...args), 'restock_commit');
    return res[0] === 1 ? (res.slice(2) as string[]) : null;
  }

  async ack(sku: string, entries: string[]): Promise<void> {
    if (entries.length > 0) await this.guard(this.redis.restockAck(productKeys(this.prefix, sku).restockOutbox, ...entries), 'restock_ack');
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private guard<T>(p: Promise<T>, op: string): Promise<T> {
    return redisCall(p, op, this.latency);
  }

}

function pairs(o: Record<string, string | number>): string[] {
  return Object.entries(o).flatMap(([f, v]) => [f, String(v)]);
}

function parseAlert(h: Record<string, string>): AlertView | null {
  return h.state === 'OPEN' || h.state === 'RESOLVED' ? { state: h.state, alertId: h.alertId } : null;
}

function parseStock(h: Record<string, string>): StockView | null {
  if (!h.eventId) return null;
  return { eventId: h.eventId, eventTime: Number(h.eventTime), onHand: Number(h.onHand), onOrder: Number(h.onOrder), leadTimeDays: Number(h.leadTimeDays) };
}

function parseTrend(h: Record<string, string>): TrendView | null {
  if (!h.generatedAt) return null;
  return {
    generatedAt: Number(h.generatedAt), basedOnEventTime: Number(h.basedOnEventTime), bucketMs: Number(h.bucketMs), firstBucketStart: Number(h.firstBucketStart),
    p50: JSON.parse(h.p50) as number[], p90: JSON.parse(h.p90) as number[],
    // absent in state stored before trend schema v3
    leadP90: h.leadP90 ? (JSON.parse(h.leadP90) as number[]) : [], modelVersion: h.modelVersion,
  };
}
