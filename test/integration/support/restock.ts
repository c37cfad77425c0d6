import { codecFor } from '../../../shared/avro/codec';
import type { InventoryEvent, Trend } from '../../../shared/domain/events';

const D = 86_400_000;
/** The event time the restock tests' trends and stock counts are set at. */
export const RESTOCK_ORIGIN = Date.UTC(2011, 10, 20);
const trendCodec = codecFor<Trend>('trend');
const invCodec = codecFor<InventoryEvent>('inventory');

/** A 14-day forecast of `perDay` p90 units per day. */
export function trend(sku: string, perDay: number, generatedAt = Date.now()): Trend {
  return {
    sku, generatedAt, basedOnEventTime: RESTOCK_ORIGIN - 3600_000, bucketMs: D,
    horizon: Array.from({ length: 14 }, (_, i) => ({ step: i + 1, bucketStart: RESTOCK_ORIGIN + i * D, p10: perDay / 3, p50: perDay / 2, p90: perDay })),
    direction: 'RISING', slope: 0.05, level: perDay / 2, model: 'ets', modelVersion: 'it-1', category: 'test', leadP90: [],
  };
}

export const stock = (sku: string, onHand: number, onOrder: number, leadTimeDays: number, n = 1): InventoryEvent => ({
  eventId: `inv-${sku}-${n}`, eventTime: RESTOCK_ORIGIN + n, sku, onHand, onOrder, leadTimeDays,
});

/** Kafka messages keyed by product. */
export const enc = {
  trends: (ts: Trend[]) => ts.map((t) => ({ key: t.sku, value: trendCodec.encode(t) })),
  stock: (es: InventoryEvent[]) => es.map((e) => ({ key: e.sku, value: invCodec.encode(e) })),
};
