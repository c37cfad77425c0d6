--[[
  Removes alerts from a product's outbox once they are published; entries queued meanwhile stay.
  KEYS[1] outbox list
  ARGV[1..] the published entries, each removed once
  Returns the number removed.
]]
local removed = 0
for i = 1, #ARGV do removed = removed + redis.call('LREM', KEYS[1], 1, ARGV[i]) end
return removed
