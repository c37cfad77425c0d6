import { ORDER_FACT_FIELDS, type OrderFacts } from '../../shared/domain/events';
import type { StateStore } from '../../shared/domain/state';
import { validateOrder, type ValidationLimits } from '../../shared/domain/validation';
import type { ConsumerDefinition, Handler } from '../../shared/adapters/consumer-service';

/** Orders, cancellations and returns -> demand buckets and smoothing state of each product. */
export function orderHandler(store: StateStore, limits: ValidationLimits): Handler<OrderFacts> {
  return {
    validate: (e) => validateOrder(e, limits),
    handle: (events) => store.applyOrders(events),
    prepare: (events) => store.prepareOrders(events),
  };
}

export const orderConsumer: ConsumerDefinition<OrderFacts, {}> = {
  service: 'order-consumer',
  schema: 'order',
  topic: (t) => t.orders,
  // the order script gives the same state in any order of arrival (a linear filter; see apply-orders-3.lua)
  orderIndependent: true,
  // the state needs six of the ten fields: the others (order, customer, country...) are not decoded
  fields: ORDER_FACT_FIELDS,
  extraSpec: {},
  makeHandler: async ({ store, limits }) => orderHandler(store, limits),
};
