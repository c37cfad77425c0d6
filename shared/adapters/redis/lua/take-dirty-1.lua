--[[
  Pops the products whose last change is at or before a time (the debounce), atomically, so a change
  that lands while the forecaster works is re-added and not lost.
  KEYS[1] dirty zset (sku scored by the wall time of its last change)
  ARGV[1] max score (now - quiet period)  ARGV[2] limit
  Returns the popped skus.
]]
local skus = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #skus > 0 then redis.call('ZREM', KEYS[1], unpack(skus)) end
return skus
