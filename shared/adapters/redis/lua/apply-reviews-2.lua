--[[
  Applies a product's reviews (in partition order) to its review statistics, idempotently.
  KEYS[1] reviews hash (count, ratingSum, ratingMean, ratingEwm, ratingEwmPrev, embedding, dim, lastEventTime)
  KEYS[2] seen zset (reviewId scored by eventTime; the newest ARGV[3] are remembered)
  ARGV[1] decay lambda (weight of a new review in the decayed means)
  ARGV[2] embedding dimension  ARGV[3] dedupe memory (ids kept)
  ARGV[4..] quads: eventId, eventTime ms, rating, embedding (dim float32 little-endian, or empty)
  Returns {applied, duplicates}.
  ratingEwm is the recent rating; ratingEwm - ratingEwmPrev is its latest change (the rating trend).
]]
local lambda = tonumber(ARGV[1])
local dim = tonumber(ARGV[2])
local keep = tonumber(ARGV[3])
local fmt = '<' .. string.rep('f', dim)

local st = redis.call('HMGET', KEYS[1], 'count', 'ratingSum', 'ratingEwm', 'lastEventTime', 'embedding')
local count = tonumber(st[1]) or 0
local sum = tonumber(st[2]) or 0
local ewm = tonumber(st[3])
local prev = ewm
local lastT = tonumber(st[4]) or 0
local emb = nil
if dim > 0 and st[5] and #st[5] == 4 * dim then emb = { struct.unpack(fmt, st[5]) } end
local applied, dup = 0, 0

for i = 4, #ARGV, 4 do
  local id, t, r, e = ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2]), ARGV[i + 3]
  if redis.call('ZADD', KEYS[2], 'NX', t, id) == 0 then
    dup = dup + 1
  else
    count, sum = count + 1, sum + r
    prev = ewm
    if ewm == nil then ewm = r else ewm = lambda * r + (1 - lambda) * ewm end
    if dim > 0 and #e == 4 * dim then
      local v = { struct.unpack(fmt, e) }
      if emb == nil then
        emb = {}
        for j = 1, dim do emb[j] = v[j] end
      else
        for j = 1, dim do emb[j] = lambda * v[j] + (1 - lambda) * emb[j] end
      end
    end
    applied = applied + 1
    if t > lastT then lastT = t end
  end
end

if applied > 0 then
  local fields = { 'count', count, 'ratingSum', string.format('%.17g', sum), 'ratingMean', string.format('%.17g', sum / count),
    'ratingEwm', string.format('%.17g', ewm), 'ratingEwmPrev', string.format('%.17g', prev or ewm),
    'lastEventTime', string.format('%.0f', lastT) }
  if emb ~= nil then
    table.insert(fields, 'embedding'); table.insert(fields, struct.pack(fmt, unpack(emb)))
    table.insert(fields, 'dim'); table.insert(fields, dim)
  end
  redis.call('HSET', KEYS[1], unpack(fields))
  local n = redis.call('ZCARD', KEYS[2])
  if n > keep then redis.call('ZREMRANGEBYRANK', KEYS[2], 0, n - keep - 1) end
end
return { applied, dup }
