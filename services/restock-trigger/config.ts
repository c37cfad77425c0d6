import { kafkaSpec, redisSpec, serviceSpec, validationSpec } from '../../shared/config/common';
import type { ConfigOf, Spec } from '../../shared/config/spec';

export const restockSpec = {
  ...kafkaSpec,
  ...redisSpec,
  ...validationSpec,
  ...serviceSpec,
  CONSUMER_GROUP: { kind: 'string', default: 'trendcast-restock-trigger', doc: 'Consumer group id' },
  CONSUMER_CHUNK_SIZE: { kind: 'int', default: 500, min: 1, max: 100000, doc: 'Messages decided and committed together' },
  CONSUMER_PARTITIONS_CONCURRENTLY: { kind: 'int', default: 3, min: 1, max: 64, doc: 'Partitions processed in parallel by one process' },
  TOPIC_PARTITIONS: { kind: 'int', default: 3, min: 1, max: 1000, doc: 'Partitions of topics this service creates' },
  FROM_BEGINNING: { kind: 'bool', default: true, doc: 'A new consumer group starts at the oldest offset' },
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
