/**
 * Every Redis key is built here. All keys of one product share the hash tag {sku}, so one Lua script
 * can update them atomically, also on Redis Cluster. Global keys (product index, dirty set,
 * watermark) are touched outside the per-product scripts for the same reason.
 */
export interface ProductKeys {
  state: string;
  demand: string;
  /** Prefix of the per-bucket dedupe sets of order ids: `<seenOrders><bucket>`. */
  seenOrders: string;
  listing: string;
  reviews: string;
  seenReviews: string;
  inventory: string;
  alert: string;
  /** The newest trend the restock trigger has seen (the part its rule needs). */
  restockTrend: string;
  /** Restock alerts decided but not yet acknowledged as published. */
  restockOutbox: string;
}

export interface GlobalKeys {
  products: string;
  dirty: string;
  watermark: string;
  /** The series settings the state was built with (checked at connect: see RedisStateStore). */
  settings: string;
}

export function productKeys(prefix: string, sku: string): ProductKeys {
  const p = `${prefix}:{${sku}}`;
  return {
    state: `${p}:state`,
    demand: `${p}:demand`,
    seenOrders: `${p}:seen:orders:`,
    listing: `${p}:listing`,
    reviews: `${p}:reviews`,
    seenReviews: `${p}:seen:reviews`,
    inventory: `${p}:inventory`,
    alert: `${p}:alert`,
    restockTrend: `${p}:restock:trend`,
    restockOutbox: `${p}:restock:outbox`,
  };
}

export function globalKeys(prefix: string): GlobalKeys {
  return { products: `${prefix}:products`, dirty: `${prefix}:dirty`, watermark: `${prefix}:watermark`, settings: `${prefix}:settings` };
}

/** A consumer group's checkpoints (checkpoints.ts), one field per topic and partition. */
export function checkpointKey(prefix: string, groupId: string): string {
  return `${prefix}:checkpoints:${groupId}`;
}
