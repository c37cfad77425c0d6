--[[
  What the forecaster reads of a run of products, in one call and as few replies as possible: for
  each product, the values of the fields parseSnapshot uses, in a fixed order (snapshot.ts:
  SNAPSHOT_FIELDS and REPLY_LENGTH, which a unit test keeps equal to the lists here), with no field
  names. A product's keys share its hash tag; a call spans several products (a standalone Redis).
  KEYS: 4 per product, in order: state hash, demand ring string, listing hash, reviews hash
  Returns, per product in KEYS order, 23 values: {state values..., ring ('' when absent), listing
  values..., review values...}; a missing field is nil. A key of the wrong type fails the call.
]]
local out = {}
local at = 0
for k = 1, #KEYS, 4 do
  local state = redis.call('HMGET', KEYS[k], 'latest', 'oldest', 'level', 'trend', 'events', 'lastEventTime')
  for i = 1, 6 do out[at + i] = state[i] end
  out[at + 7] = redis.call('GET', KEYS[k + 1]) or ''
  local listing = redis.call('HMGET', KEYS[k + 2], 'eventId', 'title', 'description', 'category', 'brand', 'price', 'currency', 'eventTime', 'embedding', 'modelId')
  for i = 1, 10 do out[at + 7 + i] = listing[i] end
  local reviews = redis.call('HMGET', KEYS[k + 3], 'count', 'ratingMean', 'ratingEwm', 'ratingEwmPrev', 'embedding', 'lastEventTime')
  for i = 1, 6 do out[at + 17 + i] = reviews[i] end
  at = at + 23
end
return out
