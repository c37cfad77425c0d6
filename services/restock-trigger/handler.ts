import type { AvroCodec } from '../../shared/avro/codec';
import type { InventoryEvent, RestockAlert, Trend } from '../../shared/domain/events';
import {
  newestPerSku, step, stockIsNewer, trendIsNewer,
  type RestockInput, type RestockRule, type StepResult,
} from '../../shared/domain/restock';
import { TrendcastError } from '../../shared/errors';
import type { Logger } from '../../shared/log';
import type { StageResult } from '../../shared/adapters/stage';
import type { Publisher } from '../../shared/adapters/transport';
import type { RestockStore } from './store';

export interface RestockObserver {
  emitted(state: RestockAlert['state'], n: number): void;
}

/** Compare-and-set conflicts happen only when two partitions touch one product at once; a few rounds settle it. */
const MAX_ROUNDS = 20;

export interface RestockHandlerOptions {
  rule: RestockRule;
  /**
   * An alert queued less than this long ago by another call is taken to be in flight (being published
   * by whoever queued it) and is left alone; older ones were abandoned by a crash and are re-sent.
   */
  outboxGraceMs: number;
  now?: () => number;
}

/** Outbox entries are `<queued at ms>|<base64 Avro RestockAlert>`. */
const entryOf = (queuedAt: number, alert: Buffer) => `${queuedAt}|${alert.toString('base64')}`;
const queuedAt = (entry: string) => Number(entry.slice(0, entry.indexOf('|')));
const alertBytes = (entry: string) => Buffer.from(entry.slice(entry.indexOf('|') + 1), 'base64');

/**
 * Applies trends and stock counts to each product's restock state and emits the alerts the rule
 * decides. Per product: decide on the state read, store state + alert atomically (outbox), publish,
 * then acknowledge; the batch resolves (and its offsets commit) only after that, so a crash re-sends
 * a decided alert (same alertId) instead of losing it, and a redelivered input changes nothing.
 */
export class RestockHandler {
  private readonly now: () => number;

  constructor(
    private readonly store: RestockStore,
    private readonly publisher: Publisher,
    private readonly alertsTopic: string,
    private readonly codec: AvroCodec<RestockAlert>,
    private readonly o: RestockHandlerOptions,
    private readonly log: Logger,
    private readonly observer: RestockObserver,
  ) {
    this.now = o.now ?? Date.now;
  }

  onTrends(trends: Trend[]): Promise<StageResult> {
    const newest = newestPerSku(trends, (t) => t.sku, trendIsNewer);
    return this.applyAll([...newest.values()].map((trend) => ({ kind: 'trend', trend })), trends.length - newest.size);
  }

  onStock(events: InventoryEvent[]): Promise<StageResult> {
    const newest = newestPerSku(events, (e) => e.sku, stockIsNewer);
    return this.applyAll([...newest.values()].map((stock) => ({ kind: 'stock', stock })), events.length - newest.size);
  }

  private async applyAll(inputs: RestockInput[], superseded: number): Promise<StageResult> {
    const results = await Promise.all(inputs.map((i) => this.applyOne(i)));
    const now = this.now();
    const due = results.flatMap((r) => r.outbox.filter((e) => e === r.queued || queuedAt(e) <= now - this.o.outboxGraceMs).map((entry) => ({ sku: r.sku, entry })));
    await this.publish(due);
    const inFlight = results.filter((r) => r.outbox.some((e) => e !== r.queued && queuedAt(e) > now - this.o.outboxGraceMs));
    // retried by the stage: by then the other publisher has acknowledged, or the grace is over and we re-send
    if (inFlight.length > 0) throw new TrendcastError('INTERNAL', `restock alerts of ${inFlight.map((r) => r.sku).join(', ')} are being published by another call`, { retriable: true });
    const stale = results.filter((r) => !r.step.changed).length;
    return { applied: inputs.length - stale, duplicates: stale + superseded, tooLate: 0 };
  }

  /** One product: read, decide, compare-and-set; returns its outbox (usually just the alert it queued, if any). */
  private async applyOne(input: RestockInput): Promise<{ sku: string; step: StepResult; queued: string | null; outbox: string[] }> {
    const sku = input.kind === 'trend' ? input.trend.sku : input.stock.sku;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const loaded = await this.store.load(sku);
      const now = this.now();
      const r = step(loaded.state, input, this.o.rule, now);
      if (!r.changed) return { sku, step: r, queued: null, outbox: loaded.outbox };
      const queued = r.alert ? entryOf(now, this.codec.encode(r.alert)) : null;
      const outbox = await this.store.commit(loaded, r.state, queued);
      if (outbox) {
        if (r.alert) this.log.info('restock alert', { sku, state: r.alert.state, alertId: r.alert.alertId, demandP90: r.alert.demandP90, available: r.alert.available });
        return { sku, step: r, queued, outbox };
      }
    }
    throw new TrendcastError('STORE_UNAVAILABLE', `restock state of ${sku} kept changing during ${MAX_ROUNDS} attempts`, { retriable: true });
  }

  private async publish(due: { sku: string; entry: string }[]): Promise<void> {
    if (due.length === 0) return;
    const alerts = due.map((d) => ({ ...d, value: alertBytes(d.entry) }));
    await this.publisher.publish(this.alertsTopic, alerts.map((a) => ({ key: a.sku, value: a.value })));
    const bySku = new Map<string, string[]>();
    for (const a of alerts) bySku.set(a.sku, [...(bySku.get(a.sku) ?? []), a.entry]);
    await Promise.all([...bySku].map(([sku, entries]) => this.store.ack(sku, entries)));
    for (const a of alerts) this.observer.emitted(this.codec.decode(a.value).value.state, 1);
  }
}
