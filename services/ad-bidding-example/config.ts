import { kafkaSpec, redisSpec, redisTimeoutSpec, serviceSpec } from '../../shared/config/common';
import type { ConfigOf, Spec } from '../../shared/config/spec';

export const biddingSpec = {
  ...kafkaSpec,
  ...redisSpec,
  ...redisTimeoutSpec,
  ...serviceSpec,
  CONSUMER_GROUP: { kind: 'string', default: '', doc: "Consumer group id on the trends topic ('' = <TOPIC_PREFIX>trendcast-ad-bidding-example)" },
  FROM_BEGINNING: { kind: 'bool', default: true, doc: 'A new consumer group starts at the oldest retained trend' },
  BIDDING_LOOKAHEAD_BUCKETS: { kind: 'int', default: 7, min: 1, max: 365, doc: 'Buckets of the forecast a bid looks at (W)' },
  BIDDING_SENSITIVITY: { kind: 'float', default: 1, min: 0, max: 100, doc: 'k in exp(k * W * slope)' },
  BIDDING_MIN: { kind: 'float', default: 0.5, min: 0.01, max: 1, doc: 'Lowest bid multiplier' },
  BIDDING_MAX: { kind: 'float', default: 2, min: 1, max: 100, doc: 'Highest bid multiplier' },
  BIDDING_STOCK_FROM_REDIS: { kind: 'bool', default: true, doc: "Read each product's stock (onHand + onOrder) from the restock trigger's Redis state" },
} satisfies Spec;

export type BiddingConfig = ConfigOf<typeof biddingSpec>;
