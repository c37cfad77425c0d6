--[[
  Stores a product's new restock state if nobody changed it since it was read (compare-and-set on a
  version), and queues the alert to emit in the product's outbox, in one atomic step. The decision
  itself is made by the pure rule (shared/domain/restock.ts) on the state read before.
  KEYS[1] alert hash     (version, state, alertId)
  KEYS[2] inventory hash (eventId, eventTime, onHand, onOrder, leadTimeDays)
  KEYS[3] trend hash     (generatedAt, basedOnEventTime, bucketMs, firstBucketStart, p50, p90, modelVersion)
  KEYS[4] outbox list    ('<queued at ms>|<base64 Avro RestockAlert>' entries not yet acknowledged as published)
  ARGV[1] expected version (0 = never written)
  ARGV[2] ARGV[3] ARGV[4] numbers of field/value pairs for KEYS[1], KEYS[2], KEYS[3]
  ARGV[5] outbox entry to queue, or empty
  ARGV[6..] the field/value pairs, KEYS[1]'s first
  Returns {0} when the version moved (read again and retry), else {1, new version, outbox entries...}.
]]
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if version ~= tonumber(ARGV[1]) then return { 0 } end
local i = 6
for k = 1, 3 do
  local n = tonumber(ARGV[k + 1])
  if n > 0 then redis.call('HSET', KEYS[k], unpack(ARGV, i, i + 2 * n - 1)) end
  i = i + 2 * n
end
version = redis.call('HINCRBY', KEYS[1], 'version', 1)
if ARGV[5] ~= '' then redis.call('RPUSH', KEYS[4], ARGV[5]) end
local out = { 1, version }
for _, e in ipairs(redis.call('LRANGE', KEYS[4], 0, -1)) do out[#out + 1] = e end
return out
