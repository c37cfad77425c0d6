import { consumerTuningSpec, kafkaSpec, redisSpec, redisTimeoutSpec, serviceSpec, validationSpec } from '../../shared/config/common';
import type { ConfigOf, Spec } from '../../shared/config/spec';

export const restockSpec = {
  ...kafkaSpec,
  ...redisSpec,
  ...redisTimeoutSpec,
  ...validationSpec,
  ...serviceSpec,
  ...consumerTuningSpec(500),
  RESTOCK_RESOLVE_MARGIN: {
    kind: 'float', default: 0.1, min: 0, max: 0.9,
    doc: 'Hysteresis: an open alert resolves once p90 demand over the lead time <= (onHand + onOrder) * (1 - this); 0 = as soon as it no longer exceeds',
  },
  RESTOCK_OUTBOX_GRACE_MS: {
    kind: 'int', default: 10000, min: 0,
    doc: 'An alert queued by another instance less than this long ago is left to it; older ones (a crash) are re-sent',
  },
} satisfies Spec;

export type RestockConfig = ConfigOf<typeof restockSpec>;
