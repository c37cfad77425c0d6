--[[
  Everything the forecaster reads of one product, in one call (a quarter of the replies the client
  parses compared with four commands). All keys share the product's hash tag.
  KEYS[1] state hash  KEYS[2] demand ring string  KEYS[3] listing hash  KEYS[4] reviews hash
  Returns {state fields and values, ring ('' when absent), listing fields and values, review fields and values}.
]]
return {
  redis.call('HGETALL', KEYS[1]),
  redis.call('GET', KEYS[2]) or '',
  redis.call('HGETALL', KEYS[3]),
  redis.call('HGETALL', KEYS[4]),
}
