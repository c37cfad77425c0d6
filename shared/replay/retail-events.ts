import type { ListingEvent, OrderEvent } from '../domain/events';
import { productId, type RetailRow } from '../backtest/online-retail';

export type ReplayEvent = { kind: 'order'; event: OrderEvent } | { kind: 'listing'; event: ListingEvent };

export interface ReplayStats {
  rows: number;
  orders: number;
  listings: number;
  /** Rows dropped by EVALUATION.md step 1 (not a product, price <= 0) or with quantity 0. */
  skipped: number;
}

/**
 * Turns Online Retail rows into the pipeline's events: one order event per kept line (C-invoices are
 * CANCELLATIONs, other negative lines RETURNs) and a listing event when a product is first seen and
 * whenever its description changes. Event ids derive from the file's content, so replaying the same
 * file twice produces the same ids and the pipeline's state does not change the second time.
 */
export class RetailEventBuilder {
  readonly stats: ReplayStats = { rows: 0, orders: 0, listings: 0, skipped: 0 };
  private readonly lastDescription = new Map<string, string>();
  private readonly lineCount = new Map<string, number>();
  private readonly listingCount = new Map<string, number>();

  fromRow(r: RetailRow): ReplayEvent[] {
    this.stats.rows++;
    const sku = productId(r);
    if (!sku || r.quantity === 0 || !Number.isInteger(r.quantity)) {
      this.stats.skipped++;
      return [];
    }
    const out: ReplayEvent[] = [];
    const description = r.description || sku;
    if (this.lastDescription.get(sku) !== description) {
      this.lastDescription.set(sku, description);
      const k = (this.listingCount.get(sku) ?? 0) + 1;
      this.listingCount.set(sku, k);
      out.push({
        kind: 'listing',
        event: { eventId: `listing/${sku}/${k}`, eventTime: r.time, sku, title: description, description: '', category: null, brand: null, price: r.unitPrice, currency: 'GBP' },
      });
      this.stats.listings++;
    }
    const lineKey = `${r.invoiceNo}/${sku}`;
    const n = (this.lineCount.get(lineKey) ?? 0) + 1;
    this.lineCount.set(lineKey, n);
    const kind = r.invoiceNo.toUpperCase().startsWith('C') ? 'CANCELLATION' : r.quantity < 0 ? 'RETURN' : 'ORDER';
    out.push({
      kind: 'order',
      event: {
        eventId: `order/${lineKey}/${n}`, eventTime: r.time, sku, orderId: r.invoiceNo, kind, quantity: r.quantity, unitPrice: r.unitPrice,
        currency: 'GBP', customerId: r.customerId || null, country: r.country || null,
      },
    });
    this.stats.orders++;
    return out;
  }
}

/** Rows in event-time order (the file is nearly sorted; a stable sort keeps file order within a minute). */
export function sortRows(rows: RetailRow[]): RetailRow[] {
  return rows.map((r, i) => [r, i] as const).sort((a, b) => a[0].time - b[0].time || a[1] - b[1]).map(([r]) => r);
}
