--[[
  Applies a product's order events to its demand buckets and Holt smoothing state, idempotently.
  KEYS[1] state hash   (level, trend, latest, oldest, events, lastEventTime)
  KEYS[2] demand ring  (a string of `max buckets` little-endian doubles; bucket k lives in slot k % max:
                        one GET reads the whole series, and no field per bucket costs memory)
  KEYS[3] seen zset    (eventId scored by eventTime; the dedupe set, trimmed to the window)
  ARGV[1] alpha  ARGV[2] beta  ARGV[3] max buckets kept  ARGV[4] bucket length ms
  ARGV[5..] triples: eventId, eventTime ms, quantity
  Returns {applied, duplicates, tooLate}.
  The smoothing is linear in the observations (see shared/domain/smoothing.ts): the state at the
  newest bucket L is M^(L-L0) S0 + sum over events of q * M^(L-k) * g. So the events of a call are
  summed per bucket first and each distinct bucket costs one O(log gap) matrix power (memoized): the
  result does not depend on arrival order and equals a batch recomputation. Events older than the kept window
  (relative to the newest bucket seen so far) are dropped as too late: their ids are no longer kept.
  Redis calls per invocation: HMGET, ZMSCORE, ZADD, HSET, one GETRANGE + SETRANGE per distinct bucket,
  and up to two SETRANGEs that clear the slots of buckets the window has left.
]]
local a = tonumber(ARGV[1])
local b = tonumber(ARGV[2])
local maxB = tonumber(ARGV[3])
local bucketMs = tonumber(ARGV[4])

-- M^k without table churn; memoized, since the gaps between consecutive buckets repeat (1, 2, 7 days...)
local m1, m2, m3, m4 = 1 - a, 1 - a, -a * b, 1 - a * b
local memo = {}
local function mpow(k)
  local c = memo[k]
  if c then return c[1], c[2], c[3], c[4] end
  local r1, r2, r3, r4 = 1, 0, 0, 1
  local b1, b2, b3, b4 = m1, m2, m3, m4
  local e = k
  while e > 0 do
    if e % 2 == 1 then r1, r2, r3, r4 = r1 * b1 + r2 * b3, r1 * b2 + r2 * b4, r3 * b1 + r4 * b3, r3 * b2 + r4 * b4 end
    b1, b2, b3, b4 = b1 * b1 + b2 * b3, b1 * b2 + b2 * b4, b3 * b1 + b4 * b3, b3 * b2 + b4 * b4
    e = math.floor(e / 2)
  end
  memo[k] = { r1, r2, r3, r4 }
  return r1, r2, r3, r4
end
local g1, g2 = a, a * b

local st = redis.call('HMGET', KEYS[1], 'level', 'trend', 'latest', 'oldest', 'events', 'lastEventTime')
local level = tonumber(st[1]) or 0
local trend = tonumber(st[2]) or 0
local latest0 = tonumber(st[3])
local latest = latest0
local oldest = tonumber(st[4])
local events = tonumber(st[5]) or 0
local lastT = tonumber(st[6]) or 0

local ids = {}
for i = 5, #ARGV, 3 do ids[#ids + 1] = ARGV[i] end
local known = redis.call('ZMSCORE', KEYS[3], unpack(ids))

local applied, dup, late = 0, 0, 0
local inCall = {}
local zadd = {}
local delta = {}
local buckets = {}
for n = 1, #ids do
  local i = 5 + (n - 1) * 3
  local id, t, q = ids[n], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
  local bucket = math.floor(t / bucketMs)
  if known[n] or inCall[id] then
    dup = dup + 1
  elseif latest ~= nil and bucket <= latest - maxB then
    late = late + 1
  else
    inCall[id] = true
    zadd[#zadd + 1] = t
    zadd[#zadd + 1] = id
    if delta[bucket] == nil then
      delta[bucket] = 0
      buckets[#buckets + 1] = bucket
    end
    delta[bucket] = delta[bucket] + q
    if latest == nil or bucket > latest then latest = bucket end
    if oldest == nil or bucket < oldest then oldest = bucket end
    if t > lastT then lastT = t end
    applied = applied + 1
  end
end
if applied == 0 then return { 0, dup, late } end

-- Slots of the buckets the window now enters held buckets it left: clear them before adding.
local function clear(fromB, toB)
  local n = toB - fromB + 1
  if n <= 0 then return end
  if n >= maxB then
    redis.call('SET', KEYS[2], string.rep('\0', maxB * 8))
    return
  end
  local s = fromB % maxB
  local first = math.min(n, maxB - s)
  redis.call('SETRANGE', KEYS[2], s * 8, string.rep('\0', first * 8))
  if n > first then redis.call('SETRANGE', KEYS[2], 0, string.rep('\0', (n - first) * 8)) end
end
if latest0 == nil then clear(latest - maxB + 1, latest) else clear(latest0 + 1, latest) end

-- Late buckets (at or before the stored newest) add q * M^(latest0-k) g to the stored state; newer
-- ones are folded in ascending order, S <- M^(k-cur) S + q g, which is the batch recursion itself.
table.sort(buckets)
local cur = latest0
for _, k in ipairs(buckets) do
  local q = delta[k]
  if cur == nil then
    level, trend, cur = g1 * q, g2 * q, k
  elseif k <= cur then
    local p1, p2, p3, p4 = mpow(cur - k)
    level = level + q * (p1 * g1 + p2 * g2)
    trend = trend + q * (p3 * g1 + p4 * g2)
  else
    local p1, p2, p3, p4 = mpow(k - cur)
    level, trend = p1 * level + p2 * trend + g1 * q, p3 * level + p4 * trend + g2 * q
    cur = k
  end
  -- a bucket accepted early in the call may have left the window by its end: its slot is another's now
  if k > latest - maxB then
    local off = (k % maxB) * 8
    local old = redis.call('GETRANGE', KEYS[2], off, off + 7)
    local v = #old == 8 and struct.unpack('<d', old) or 0
    redis.call('SETRANGE', KEYS[2], off, struct.pack('<d', v + q))
  end
end
redis.call('ZADD', KEYS[3], unpack(zadd))
events = events + applied

local keepFrom = latest - maxB + 1
if oldest < keepFrom then
  oldest = keepFrom
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. string.format('%.0f', keepFrom * bucketMs))
end
redis.call('HSET', KEYS[1], 'level', string.format('%.17g', level), 'trend', string.format('%.17g', trend),
  'latest', latest, 'oldest', oldest, 'events', events, 'lastEventTime', string.format('%.0f', lastT))
return { applied, dup, late }
