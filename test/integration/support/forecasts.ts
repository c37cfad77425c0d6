import * as os from 'os';
import * as path from 'path';
import type { Kafka } from 'kafkajs';
import { codecFor } from '../../../shared/avro/codec';
import type { OrderEvent, Trend } from '../../../shared/domain/events';
import { collect, kafka } from './kafka';
import { startService, uniq, waitFor, type RunningService } from './services';

/**
 * The forecaster on these names, quick to react: no LSTM (its own test has one), the full pass ten
 * minutes away, a change forecast within ~0.5 s. So the trends a test sees come from the on-change path.
 */
export function startQuickForecaster(n: { prefix: string; keyPrefix: string }, env: Record<string, string> = {}): Promise<RunningService> {
  return startService('forecaster', {
    KEY_PREFIX: n.keyPrefix, TOPIC_PREFIX: `${n.prefix}-`, ARTIFACTS_DIR: path.join(os.tmpdir(), uniq('no-artifacts-')),
    FORECAST_INTERVAL_MS: '600000', FORECAST_POLL_MS: '200', FORECAST_DEBOUNCE_MS: '200', ...env,
  });
}

/** The orders of a few products, cut in two by event time: one half before an outage, one after. */
export function twoHalves(orders: OrderEvent[], skus: string[], products = 8): { few: OrderEvent[]; before: OrderEvent[]; after: OrderEvent[] } {
  const few = orders.filter((o) => skus.slice(0, products).includes(o.sku));
  const cut = few[Math.floor(few.length / 2)].eventTime;
  return { few, before: few.filter((o) => o.eventTime < cut), after: few.filter((o) => o.eventTime >= cut) };
}

const trendCodec = codecFor<Trend>('trend');

/** Collects a trends topic; latest(): each product's newest trend so far. */
export async function watchTrends(topic: string, client: Kafka = kafka): Promise<{ latest(): Map<string, Trend>; stop(): Promise<void> }> {
  const got = await collect(topic, client);
  return {
    latest: () => new Map(got.messages.map((m) => [m.key, trendCodec.decode(m.value).value] as const)),
    stop: () => got.stop(),
  };
}

/** Waits until every product of `events` has a trend based on the newest of those events. */
export async function trendsCaughtUp(latest: () => Map<string, Trend>, events: OrderEvent[], what: string, timeoutMs: number): Promise<void> {
  const mark = Math.max(...events.map((o) => o.eventTime));
  const products = [...new Set(events.map((o) => o.sku))];
  await waitFor(what, async () => products.every((s) => latest().get(s)?.basedOnEventTime === mark), timeoutMs);
}
