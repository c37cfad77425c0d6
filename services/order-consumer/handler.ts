import { EventTimeLead } from '../../shared/domain/event-lead';
import { emptyRawOrder, ORDER_FACT_FIELDS, type OrderFacts } from '../../shared/domain/events';
import type { OrderSink, StateStore } from '../../shared/domain/state';
import { rawOrderValid, validateOrder, type ValidationLimits } from '../../shared/domain/validation';
import { readRawOrder } from '../../shared/avro/order-reader';
import type { ConsumerDefinition, Handler } from '../../shared/adapters/consumer-service';
import type { EventBatch } from '../../shared/adapters/stage';
import type { Spec } from '../../shared/config/spec';

/** How often the lead check re-reads the watermark (other processes' partitions move it too). */
const WATERMARK_REFRESH_MS = 2000;

/**
 * Orders, cancellations and returns -> demand buckets and smoothing state of each product. An order
 * dated more than `lead` after the newest order time known is refused (see EventTimeLead): the
 * order stream is dense, so its own progress is a sound reference, which the sparse listing and
 * review streams would not be (months may pass between two listings).
 */
export function orderHandler(store: StateStore, limits: ValidationLimits, lead = new EventTimeLead(0)): Handler<OrderFacts> {
  return {
    validate: (e) => {
      validateOrder(e, limits);
      lead.check(e.eventTime);
      return e;
    },
    handle: (events) => store.applyOrders(events),
    prepare: (events) => store.prepareOrders(events),
    batch: store.orderSink && (() => fastBatch(store.orderSink!(), limits, lead)),
  };
}

/**
 * The fast path: an order read off its bytes (readRawOrder) and found valid by the byte-level twin of
 * the validation (rawOrderValid, the lead check) goes to the store with no object or string made
 * for it; any other message, valid or not, is decoded and validated the usual way (EventBatch).
 * Decoding and the objects it left for the garbage collector were a third of the consumer's CPU.
 */
function fastBatch(sink: OrderSink, limits: ValidationLimits, lead: EventTimeLead): EventBatch<OrderFacts> {
  const raw = emptyRawOrder();
  // one clock reading per chunk, before its events: earlier than validateOrder's reading per event,
  // which only makes the future check stricter, and what it refuses takes the full path
  const now = Date.now();
  return {
    take: (value) => {
      if (!readRawOrder(value, raw) || !rawOrderValid(value, raw, limits, now) || !lead.allows(raw.eventTime)) return false;
      lead.advance(raw.eventTime);
      sink.addRaw(value, raw);
      return true;
    },
    add: (e) => sink.add(e),
    get size() {
      return sink.size;
    },
    prepare: () => sink.prepare(),
  };
}

const leadSpec = {
  MAX_EVENT_LEAD_MS: {
    kind: 'int', default: 30 * 86_400_000, min: 0,
    doc: "Orders dated further than this after the newest order time stored (the watermark) go to the DLQ: a wrong year would otherwise cut its product's history and move every forecast's origin (0 = no check)",
  },
} satisfies Spec;

export const orderConsumer: ConsumerDefinition<OrderFacts, typeof leadSpec> = {
  service: 'order-consumer',
  schema: 'order',
  topic: (t) => t.orders,
  // the order script gives the same state in any order of arrival (a linear filter; see apply-orders-n.lua)
  orderIndependent: true,
  // the state needs six of the ten fields: the others (order, customer, country...) are not decoded
  fields: ORDER_FACT_FIELDS,
  extraSpec: leadSpec,
  makeHandler: async ({ store, limits, config }) => {
    const lead = new EventTimeLead(config.MAX_EVENT_LEAD_MS, await store.watermark());
    const refresh = setInterval(() => void store.watermark().then((w) => lead.advance(w), () => {}), WATERMARK_REFRESH_MS);
    return { ...orderHandler(store, limits, lead), close: async () => clearInterval(refresh) };
  },
};
