/** TypeScript shapes of schemas/*.avsc (the schemas are the source of truth; test/unit/schemas checks these agree). */
export type OrderKind = 'ORDER' | 'CANCELLATION' | 'RETURN';

export interface OrderEvent {
  eventId: string;
  eventTime: number;
  sku: string;
  orderId: string;
  kind: OrderKind;
  quantity: number;
  unitPrice: number;
  currency: string;
  customerId: string | null;
  country: string | null;
}

/** The fields of an order that the demand state and its validation use (what the order consumer decodes). */
export const ORDER_FACT_FIELDS = ['eventId', 'eventTime', 'sku', 'kind', 'quantity', 'unitPrice'] as const;
export type OrderFacts = Pick<OrderEvent, (typeof ORDER_FACT_FIELDS)[number]>;

export interface ReviewEvent {
  eventId: string;
  eventTime: number;
  sku: string;
  reviewId: string;
  rating: number;
  text: string;
  language: string | null;
}

export interface ListingEvent {
  eventId: string;
  eventTime: number;
  sku: string;
  title: string;
  description: string;
  category: string | null;
  brand: string | null;
  price: number;
  currency: string;
}

export interface InventoryEvent {
  eventId: string;
  eventTime: number;
  sku: string;
  onHand: number;
  onOrder: number;
  leadTimeDays: number;
}

export interface HorizonPoint {
  step: number;
  bucketStart: number;
  p10: number;
  p50: number;
  p90: number;
}

export type TrendDirection = 'RISING' | 'FLAT' | 'FALLING';

export interface Trend {
  sku: string;
  generatedAt: number;
  basedOnEventTime: number;
  bucketMs: number;
  horizon: HorizonPoint[];
  direction: TrendDirection;
  slope: number;
  level: number;
  model: string;
  modelVersion: string;
  /** Since trend schema v2; null when the forecaster does not know it (and in v1 messages). */
  category: string | null;
  /**
   * Since v3: a p90 of the TOTAL demand over steps 1..h at index h - 1, non-decreasing
   * (shared/forecasting/lead-time.ts); [] in v1 and v2 messages.
   */
  leadP90: number[];
}

export interface RestockAlert {
  alertId: string;
  sku: string;
  state: 'OPEN' | 'RESOLVED';
  emittedAt: number;
  basedOnEventTime: number;
  leadTimeDays: number;
  demandP90: number;
  demandP50: number;
  available: number;
  shortfall: number;
  modelVersion: string;
}

/**
 * An order's facts as read off the wire without decoding its strings: offsets into the message's
 * bytes for the id and the product (the order consumer's fast path, shared/avro/order-reader.ts).
 * `kind` is the index of OrderKind in the schema's symbols.
 */
export interface RawOrder {
  idStart: number;
  idEnd: number;
  skuStart: number;
  skuEnd: number;
  eventTime: number;
  kind: number;
  quantity: number;
  unitPrice: number;
}

export function emptyRawOrder(): RawOrder {
  return { idStart: 0, idEnd: 0, skuStart: 0, skuEnd: 0, eventTime: 0, kind: 0, quantity: 0, unitPrice: 0 };
}
