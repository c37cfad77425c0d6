import { EventTimeLead } from '../../shared/domain/event-lead';
import { ORDER_FACT_FIELDS, type OrderFacts } from '../../shared/domain/events';
import type { StateStore } from '../../shared/domain/state';
import { validateOrder, type ValidationLimits } from '../../shared/domain/validation';
import type { ConsumerDefinition, Handler } from '../../shared/adapters/consumer-service';
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
