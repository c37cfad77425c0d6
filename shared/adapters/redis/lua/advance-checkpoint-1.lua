-- A consumer's checkpoint (keys.ts: checkpointKey), moved only from the value the consumer last
-- read or wrote, so a store that came back with an older value (or none) is noticed, not overwritten.
-- KEYS[1] the group's hash; ARGV[1] field (topic/partition), ARGV[2] expected ('' = none), ARGV[3] next.
local cur = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if cur ~= ARGV[2] then return {0, cur} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return {1}
