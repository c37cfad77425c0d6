--[[
  Pops the products whose last change is at or before a time (the debounce), atomically, so a change
  that lands while the forecaster works is re-added and not lost.
  KEYS[1] dirty zset (sku scored by the wall time of its last change)
  ARGV[1] max score (now - quiet period)  ARGV[2] limit
  Returns the popped skus.
]]
local skus = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
-- unpack() fails beyond ~8000 values (Lua's C stack), and the forecaster may take more than that at
-- once (FORECAST_BATCH_SIZE x 8): remove them in slices
local SLICE = 4000
for i = 1, #skus, SLICE do
  redis.call('ZREM', KEYS[1], unpack(skus, i, math.min(i + SLICE - 1, #skus)))
end
return skus
