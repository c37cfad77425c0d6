import { codecFor } from '../../shared/avro/codec';
import type { InventoryEvent } from '../../shared/domain/events';
import type { ValidationLimits } from '../../shared/domain/validation';
import type { OutboundMessage, Publisher } from '../../shared/adapters/transport';
import { parseStockCsv, toStockEvent, type ParsedStock } from './rows';

export interface StockSource {
  /** The CSV's text, or null when one count is given by flags. */
  csv: string | null;
  single: { sku: string; onHand: string; onOrder: string; leadTimeDays: string; countedAt: string };
}

/** The counts of a file or of the flags, validated; nothing is published while any is bad. */
export function stockEvents(src: StockSource, limits: ValidationLimits, now = Date.now()): ParsedStock {
  if (src.csv !== null) return parseStockCsv(src.csv, limits, now);
  try {
    return { events: [toStockEvent(src.single, limits, now)], errors: [] };
  } catch (err) {
    return { events: [], errors: [(err as Error).message] };
  }
}

/** Publishes the counts on the inventory topic, keyed by product like every event of a product. */
export async function publishStock(events: InventoryEvent[], publisher: Publisher, topic: string, batchSize = 1000): Promise<void> {
  const codec = codecFor<InventoryEvent>('inventory');
  for (let i = 0; i < events.length; i += batchSize) {
    const batch: OutboundMessage[] = events.slice(i, i + batchSize).map((e) => ({ key: e.sku, value: codec.encode(e) }));
    await publisher.publish(topic, batch);
  }
}
