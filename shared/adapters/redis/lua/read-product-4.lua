--[[
  What the forecaster reads of one product, in one call and as few replies as possible: the values
  of the fields parseSnapshot uses, in a fixed order (snapshot.ts: SNAPSHOT_FIELDS, which a unit
  test keeps equal to the lists here), with no field names. All keys share the product's hash tag.
  KEYS[1] state hash  KEYS[2] demand ring string  KEYS[3] listing hash  KEYS[4] reviews hash
  Returns {state values..., ring ('' when absent), listing values..., review values...}; a missing field is nil.
]]
local out = redis.call('HMGET', KEYS[1], 'latest', 'oldest', 'level', 'trend', 'events', 'lastEventTime')
out[7] = redis.call('GET', KEYS[2]) or ''
local listing = redis.call('HMGET', KEYS[3], 'eventId', 'title', 'description', 'category', 'brand', 'price', 'currency', 'eventTime', 'embedding', 'modelId')
for i = 1, 10 do out[7 + i] = listing[i] end
local reviews = redis.call('HMGET', KEYS[4], 'count', 'ratingMean', 'ratingEwm', 'ratingEwmPrev', 'embedding', 'lastEventTime')
for i = 1, 6 do out[17 + i] = reviews[i] end
return out
