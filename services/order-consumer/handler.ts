import type { OrderEvent } from '../../shared/domain/events';
import type { StateStore } from '../../shared/domain/state';
import { validateOrder, type ValidationLimits } from '../../shared/domain/validation';
import type { ConsumerDefinition, Handler } from '../../shared/adapters/consumer-service';

/** Orders, cancellations and returns -> demand buckets and smoothing state of each product. */
export function orderHandler(store: StateStore, limits: ValidationLimits): Handler<OrderEvent> {
  return {
    validate: (e) => validateOrder(e, limits),
    handle: (events) => store.applyOrders(events),
  };
}

export const orderConsumer: ConsumerDefinition<OrderEvent, {}> = {
  service: 'order-consumer',
  schema: 'order',
  topic: (t) => t.orders,
  extraSpec: {},
  makeHandler: async ({ store, limits }) => orderHandler(store, limits),
};
