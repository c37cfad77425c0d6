/**
 * The stock loader's flags and the variables they set: one table for `tsx services/stock-loader/main.ts`
 * and for `trendcast stock` (which adds its help from it). Either --file, or the four flags of one count.
 */
export const STOCK_FLAGS = {
  '--file': { value: true, arg: 'FILE', env: 'STOCK_FILE', help: "CSV of stock counts (header sku,onHand,onOrder,leadTimeDays[,countedAt]); '-' reads stdin" },
  '--sku': { value: true, arg: 'SKU', env: 'STOCK_SKU', help: 'one count: the product' },
  '--on-hand': { value: true, arg: 'N', env: 'STOCK_ON_HAND', help: 'one count: units in stock' },
  '--on-order': { value: true, arg: 'N', env: 'STOCK_ON_ORDER', help: 'one count: units ordered from the supplier, not yet received (default 0)' },
  '--lead-time': { value: true, arg: 'DAYS', env: 'STOCK_LEAD_TIME_DAYS', help: 'one count: days until a new order would arrive (1..365)' },
  '--at': { value: true, arg: 'TIME', env: 'STOCK_COUNTED_AT', help: 'when the stock was counted: ISO date-time with zone, date, or epoch ms (default now)' },
  '--topic-prefix': { value: true, arg: 'P', env: 'TOPIC_PREFIX', help: 'prefix of the topic names (default none)' },
} as const;
