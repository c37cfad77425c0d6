--[[
  Stores a product's listing; the newest eventTime wins, so a redelivered or older listing changes nothing.
  KEYS[1] listing hash
  ARGV[1] eventId ARGV[2] eventTime ARGV[3] title ARGV[4] description ARGV[5] category ARGV[6] brand
  ARGV[7] price ARGV[8] currency ARGV[9] embedding (float32 LE, may be empty) ARGV[10] embedding model id
  Returns 1 applied, 0 duplicate or stale.
]]
local cur = redis.call('HMGET', KEYS[1], 'eventId', 'eventTime')
local t = tonumber(ARGV[2])
if cur[1] == ARGV[1] then return 0 end
if cur[2] and tonumber(cur[2]) > t then return 0 end
-- ties between different events at the same ms: the larger eventId wins, so the order of arrival does not matter
if cur[2] and tonumber(cur[2]) == t and cur[1] > ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'eventId', ARGV[1], 'eventTime', ARGV[2], 'title', ARGV[3], 'description', ARGV[4],
  'category', ARGV[5], 'brand', ARGV[6], 'price', ARGV[7], 'currency', ARGV[8], 'embedding', ARGV[9], 'modelId', ARGV[10])
return 1
