import { createHash } from 'crypto';
import { PoisonMessageError } from '../errors';
import type { InventoryEvent, RestockAlert, Trend } from './events';

/**
 * The restock rule. A product needs restocking when the demand it may see before new stock can
 * arrive exceeds what it has: sum of p90 over the lead time > onHand + onOrder. One alert opens per
 * episode and stays open until the shortage is gone with a margin (hysteresis), so a forecast
 * hovering around the threshold does not flap. Every input is versioned (trends by generatedAt,
 * stock by eventTime): a redelivered or older input changes nothing, which makes the rule
 * idempotent under redelivery.
 *
 * The sum of the daily p90s is not the p90 of the lead time's total, and not a bound on it either
 * way. With steady demand and days independent it is above it (Poisson(2) a day for 7 days: a sum
 * of 28 against a p90 of the total of 19). With intermittent demand it is below: a product selling
 * on 5% of days has a daily p90 of 0, yet sells something in a week with probability 0.30. On
 * Online Retail it covered 0.87 of the products' 7-day totals and 0.77 of their 28-day totals, not
 * 0.90 (BENCHMARKS.md "Lead-time demand"). So since trend schema v3 the forecaster also publishes
 * leadP90, a p90 of the total over steps 1..h (the larger of that sum and the p90 of the product's
 * own past h-step totals: 0.92 / 0.92 / 0.90 / 0.89 of 3 / 7 / 14 / 28-day totals), and the rule
 * takes the larger of the summed daily p90s of its window and leadP90 at the window's length.
 * Trends without it (v1, v2 writers) get the plain sum, as before.
 */
export const DAY_MS = 86_400_000;

/** The part of a trend the rule needs, as stored between inputs. */
export interface TrendView {
  generatedAt: number;
  basedOnEventTime: number;
  bucketMs: number;
  /** Start of horizon step 1. */
  firstBucketStart: number;
  p50: number[];
  p90: number[];
  /** p90 of the total over steps 1..h at index h - 1 (trend schema v3); [] when the trend has none. */
  leadP90: number[];
  modelVersion: string;
}

export type StockView = Pick<InventoryEvent, 'eventId' | 'eventTime' | 'onHand' | 'onOrder' | 'leadTimeDays'>;

export interface AlertView {
  state: 'OPEN' | 'RESOLVED';
  alertId: string;
}

export interface RestockState {
  sku: string;
  trend: TrendView | null;
  stock: StockView | null;
  alert: AlertView | null;
}

export type RestockInput = { kind: 'trend'; trend: Trend } | { kind: 'stock'; stock: InventoryEvent };

export interface RestockRule {
  /** An open alert resolves once p90 demand <= available * (1 - resolveMargin). 0 = as soon as it no longer exceeds. */
  resolveMargin: number;
}

export interface LeadTimeDemand {
  p50: number;
  p90: number;
  /** Horizon steps covered (fractional); beyond the horizon the last step is carried forward. */
  steps: number;
  beyondHorizon: boolean;
  /** The summed daily p90s of the window alone (p90 is the larger of it and the trend's leadP90). */
  summedP90: number;
}

export function toTrendView(t: Trend): TrendView {
  return {
    generatedAt: t.generatedAt, basedOnEventTime: t.basedOnEventTime, bucketMs: t.bucketMs,
    firstBucketStart: t.horizon[0].bucketStart, p50: t.horizon.map((h) => h.p50), p90: t.horizon.map((h) => h.p90),
    leadP90: t.leadP90 ?? [], modelVersion: t.modelVersion,
  };
}

/**
 * Integral of a per-bucket series over the fractional bucket range [from, to): whole buckets count
 * fully, the partial ones by the fraction covered; past the end the last value is carried forward.
 */
export function integrate(values: number[], from: number, to: number): number {
  if (values.length === 0 || to <= from) return 0;
  let sum = 0;
  for (let b = Math.floor(from); b < to; b++) {
    const overlap = Math.min(to, b + 1) - Math.max(from, b);
    sum += overlap * values[Math.min(b, values.length - 1)];
  }
  return sum;
}

/**
 * Demand from the moment the stock was counted until the lead time has passed. Lead time days are
 * turned into horizon buckets through the trend's bucketMs; buckets already over when the stock was
 * counted are skipped (that demand is no longer in front of the stock).
 */
export function leadTimeDemand(t: TrendView, s: StockView): LeadTimeDemand {
  const start = Math.max(0, (s.eventTime - t.firstBucketStart) / t.bucketMs);
  const steps = (s.leadTimeDays * DAY_MS) / t.bucketMs;
  const summedP90 = integrate(t.p90, start, start + steps);
  return { p50: integrate(t.p50, start, start + steps), p90: Math.max(summedP90, leadAt(t, steps)), steps, beyondHorizon: start + steps > t.p90.length, summedP90 };
}

/**
 * leadP90 at a window of `steps` steps (fractional): linear between whole steps (0 at 0 steps), and
 * past its end the last daily p90 is carried forward per step, as integrate() carries the daily
 * values. leadP90 is a total from step 1; a window that starts later (stock counted after the first
 * step began) takes the value of its length, since the product's past totals do not depend on where
 * a window starts. 0 without leadP90.
 */
export function leadAt(t: TrendView, steps: number): number {
  const lead = t.leadP90;
  const n = lead.length;
  if (n === 0 || !(steps > 0)) return 0;
  if (steps >= n) return lead[n - 1] + (steps - n) * (t.p90[n - 1] ?? 0);
  const h = Math.ceil(steps);
  const below = h >= 2 ? lead[h - 2] : 0;
  return below + (steps - (h - 1)) * (lead[h - 1] - below);
}

/** The transition the rule asks for, if any. */
export function decide(open: boolean, demandP90: number, available: number, rule: RestockRule): 'OPEN' | 'RESOLVED' | null {
  if (!open && demandP90 > available) return 'OPEN';
  if (open && demandP90 <= available * (1 - rule.resolveMargin)) return 'RESOLVED';
  return null;
}

/** Inputs are ordered by their version; equal means a redelivery, older means out of date. */
function isNewer(state: RestockState, input: RestockInput): boolean {
  if (input.kind === 'trend') {
    const cur = state.trend;
    const t = input.trend;
    return !cur || t.generatedAt > cur.generatedAt || (t.generatedAt === cur.generatedAt && t.basedOnEventTime > cur.basedOnEventTime);
  }
  const cur = state.stock;
  const s = input.stock;
  return !cur || s.eventTime > cur.eventTime || (s.eventTime === cur.eventTime && s.eventId > cur.eventId);
}

/**
 * The id of an alert opened on this trend and this stock count: the same two inputs give the same id
 * whichever of them arrived last, so an alert decided again (a redelivery, or a replay of both
 * topics after Redis lost the state, in another interleaving) is recognisable as the same one.
 */
export function alertIdFor(sku: string, trend: TrendView, stock: StockView): string {
  return createHash('sha256').update(`${sku}\ntrend@${trend.generatedAt}/${trend.basedOnEventTime}\nstock@${stock.eventTime}/${stock.eventId}`).digest('hex').slice(0, 32);
}

export type StepResult =
  | { changed: false; reason: 'stale' }
  | { changed: true; state: RestockState; alert: RestockAlert | null; reason: 'waiting' | 'unchanged' | 'opened' | 'resolved' };

/** Applies one input to a product's restock state: the new state and the alert to emit, if any. */
export function step(state: RestockState, input: RestockInput, rule: RestockRule, now: number): StepResult {
  if (!isNewer(state, input)) return { changed: false, reason: 'stale' };
  const next: RestockState = input.kind === 'trend' ? { ...state, trend: toTrendView(input.trend) } : { ...state, stock: pickStock(input.stock) };
  if (!next.trend || !next.stock) return { changed: true, state: next, alert: null, reason: 'waiting' };
  const demand = leadTimeDemand(next.trend, next.stock);
  const available = next.stock.onHand + next.stock.onOrder;
  const transition = decide(next.alert?.state === 'OPEN', demand.p90, available, rule);
  if (!transition) return { changed: true, state: next, alert: null, reason: 'unchanged' };
  const alertId = transition === 'OPEN' ? alertIdFor(state.sku, next.trend, next.stock) : next.alert!.alertId;
  next.alert = { state: transition, alertId };
  const alert: RestockAlert = {
    alertId, sku: state.sku, state: transition, emittedAt: now,
    basedOnEventTime: Math.max(next.trend.basedOnEventTime, next.stock.eventTime), leadTimeDays: next.stock.leadTimeDays,
    demandP90: demand.p90, demandP50: demand.p50, available, shortfall: Math.max(0, demand.p90 - available), modelVersion: next.trend.modelVersion,
  };
  return { changed: true, state: next, alert, reason: transition === 'OPEN' ? 'opened' : 'resolved' };
}

function pickStock(e: InventoryEvent): StockView {
  return { eventId: e.eventId, eventTime: e.eventTime, onHand: e.onHand, onOrder: e.onOrder, leadTimeDays: e.leadTimeDays };
}

/**
 * Within one batch only the newest input per product counts: superseded forecasts or stock counts
 * would only produce alerts that the next input in the same batch takes back (the debounce).
 */
export function newestPerSku<T>(items: T[], sku: (x: T) => string, newer: (a: T, b: T) => boolean): Map<string, T> {
  const out = new Map<string, T>();
  for (const x of items) {
    const cur = out.get(sku(x));
    if (!cur || newer(x, cur)) out.set(sku(x), x);
  }
  return out;
}

export const trendIsNewer = (a: Trend, b: Trend) => a.generatedAt > b.generatedAt || (a.generatedAt === b.generatedAt && a.basedOnEventTime > b.basedOnEventTime);
export const stockIsNewer = (a: InventoryEvent, b: InventoryEvent) => a.eventTime > b.eventTime || (a.eventTime === b.eventTime && a.eventId > b.eventId);

const SKU = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/** A trend the rule can use: a product id, a positive bucket length and finite, non-negative quantiles. */
export function validateTrendForRestock(t: Trend): Trend {
  const fail = (m: string): never => {
    throw new PoisonMessageError('VALIDATION_FAILED', m);
  };
  if (!SKU.test(t.sku)) fail(`sku ${JSON.stringify(t.sku.slice(0, 80))} is not a product id`);
  if (!Number.isFinite(t.bucketMs) || t.bucketMs < 1000) fail(`bucketMs ${t.bucketMs} is below 1000`);
  if (t.horizon.length === 0) fail('horizon is empty');
  for (const h of t.horizon) {
    if (!Number.isFinite(h.p50) || !Number.isFinite(h.p90) || h.p50 < 0 || h.p90 < 0) fail(`horizon step ${h.step} has p50 ${h.p50}, p90 ${h.p90}: not finite and non-negative`);
  }
  const lead = t.leadP90 ?? [];
  if (lead.length > t.horizon.length) fail(`leadP90 has ${lead.length} values for ${t.horizon.length} horizon steps`);
  lead.forEach((v, h) => {
    if (!Number.isFinite(v) || v < 0 || (h > 0 && v < lead[h - 1])) fail(`leadP90[${h}] = ${v}: not finite, non-negative and non-decreasing`);
  });
  return t;
}
