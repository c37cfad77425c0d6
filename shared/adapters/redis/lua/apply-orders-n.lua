--[[
  Applies order events to the demand buckets and Holt smoothing state of one or more products,
  idempotently. Three keys per product, in KEYS order (the caller passes their number first):
    state hash   (level, trend, latest, oldest, events, lastEventTime)
    demand ring  (a string of `max buckets` little-endian doubles; bucket k lives in slot k % max:
                  one GET reads the whole series, and no field per bucket costs memory)
    prefix of the dedupe sets: the set <prefix>p holds the ids of the events applied to the buckets
                  of epoch p (bucket k is in epoch floor(k / epoch length); an id always comes with
                  the same event time, hence the same epoch).
  Every key of a product carries its hash tag. A call holds several products on a standalone Redis
  (the caller groups them); on Redis Cluster it would have to hold products of one slot only.
  ARGV[1] alpha  ARGV[2] beta  ARGV[3] max buckets kept  ARGV[4] bucket length ms
  ARGV[5] epoch length in buckets, then per product, in KEYS order: the newest event time of its
  events in the call, the number of groups, then per group (its events of one epoch) five values:
    epoch, lowest bucket, the ids joined by '\n' (ids have no control characters: validation),
    the events as little-endian double pairs (bucket, quantity), the sums as pairs (bucket, sum).
  Returns {applied, duplicates, tooLate}, summed over the products.
  Why this shape: per-call and per-event work, in Lua and in the client (ioredis spends tens of
  microseconds of CPU per command), dominated the cost. Here a call carries many products, and a
  group costs one SMISMEMBER and one SADD of all its ids plus one addition per distinct bucket of
  the caller's sums; the events are walked one by one only when some are already known, repeated or
  too late. An error on a product's key (WRONGTYPE) stops the call there, with the products before
  it applied: the caller's retry finds their ids and counts them as duplicates.
  The smoothing is linear in the observations (see shared/domain/smoothing.ts): the state at the
  newest bucket L is M^(L-L0) S0 + sum over buckets of q_k * M^(L-k) * g. So each distinct bucket
  costs one O(log gap) matrix power (memoized): the result does not depend on arrival order and
  equals a batch recomputation. Events of buckets older than the kept window (relative to the
  stored newest bucket) are dropped as too late: their ids are no longer kept.
]]
local a = tonumber(ARGV[1])
local b = tonumber(ARGV[2])
local maxB = tonumber(ARGV[3])
local bucketMs = tonumber(ARGV[4])
local epochLen = tonumber(ARGV[5])

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

-- One product: its keys, and the position of its newest event time in ARGV. Returns the position
-- after its arguments and its counts.
local function applyProduct(kState, kDemand, kSeen, pos)
  local callT = tonumber(ARGV[pos])
  local groups = tonumber(ARGV[pos + 1])
  pos = pos + 2
  local st = redis.call('HMGET', kState, 'level', 'trend', 'latest', 'oldest', 'events', 'lastEventTime')
  local level = tonumber(st[1]) or 0
  local trend = tonumber(st[2]) or 0
  local latest0 = tonumber(st[3])
  local oldest0 = tonumber(st[4])
  local events = tonumber(st[5]) or 0
  local lastT = tonumber(st[6]) or 0
  local lateUpTo = latest0 and latest0 - maxB or -math.huge

  local applied, dup, late = 0, 0, 0
  local delta, buckets = {}, {}
  local function add(k, q)
    local d = delta[k]
    if d == nil then buckets[#buckets + 1] = k end
    delta[k] = (d or 0) + q
  end

  -- One epoch's events: all new (one SADD, the caller's sums) or walked one by one.
  local function group(set, lowest, joined, evs, sums)
    local ids = {}
    for id in string.gmatch(joined, '[^\n]+') do ids[#ids + 1] = id end
    local c = #ids
    local known = redis.call('SMISMEMBER', set, unpack(ids))
    local nk = 0
    for i = 1, c do nk = nk + known[i] end
    if nk == 0 and lowest > lateUpTo and redis.call('SADD', set, unpack(ids)) == c then
      for p = 1, #sums, 16 do add(struct.unpack('<dd', sums, p)) end
      applied = applied + c
      return
    end
    local fresh, inCall = {}, {}
    for i = 1, c do
      local id = ids[i]
      local k, q = struct.unpack('<dd', evs, (i - 1) * 16 + 1)
      if k <= lateUpTo then
        late = late + 1
      elseif known[i] == 1 or inCall[id] then
        dup = dup + 1
      else
        inCall[id] = true
        fresh[#fresh + 1] = id
        add(k, q)
        applied = applied + 1
      end
    end
    if #fresh > 0 then redis.call('SADD', set, unpack(fresh)) end
  end

  for _ = 1, groups do
    group(kSeen .. ARGV[pos], tonumber(ARGV[pos + 1]), ARGV[pos + 2], ARGV[pos + 3], ARGV[pos + 4])
    pos = pos + 5
  end
  if applied == 0 then return pos, 0, dup, late end
  if callT > lastT then lastT = callT end

  table.sort(buckets)
  local latest = math.max(latest0 or buckets[#buckets], buckets[#buckets])
  local oldest = math.min(oldest0 or buckets[1], buckets[1])
  local keepFrom = latest - maxB + 1

  -- Slots of the buckets the window now enters held buckets it left: clear them before adding.
  local function clear(fromB, toB)
    local n = toB - fromB + 1
    if n <= 0 then return end
    if n >= maxB then
      redis.call('SET', kDemand, string.rep('\0', maxB * 8))
      return
    end
    local s = fromB % maxB
    local first = math.min(n, maxB - s)
    redis.call('SETRANGE', kDemand, s * 8, string.rep('\0', first * 8))
    if n > first then redis.call('SETRANGE', kDemand, 0, string.rep('\0', (n - first) * 8)) end
  end
  if latest0 == nil then clear(keepFrom, latest) else clear(latest0 + 1, latest) end

  -- Late buckets (at or before the stored newest) add q * M^(latest0-k) g to the stored state; newer
  -- ones are folded in ascending order, S <- M^(k-cur) S + q g, which is the batch recursion itself.
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
  end

  -- The ring: the kept buckets (a bucket accepted in this call may have left the window by its end:
  -- its slot is another's now) lie in [keepFrom, latest], so their slots form at most two runs of the
  -- ring. Each run is read with one GETRANGE and written back with one SETRANGE: a redis.call costs
  -- about a microsecond, and a GETRANGE/SETRANGE pair per bucket was a third of the script's time.
  local last, first = #buckets, 1
  while first <= last and buckets[first] < keepFrom do first = first + 1 end
  local function run(from, to)
    local s0 = buckets[from] % maxB
    local len = (buckets[to] % maxB - s0 + 1) * 8
    local seg = redis.call('GETRANGE', kDemand, s0 * 8, s0 * 8 + len - 1)
    -- a ring shorter than the window (its key deleted under a kept state hash) reads as zeros
    if #seg < len then seg = seg .. string.rep('\0', len - #seg) end
    local parts, pos = {}, 1
    for i = from, to do
      local k = buckets[i]
      local off = (k % maxB - s0) * 8 + 1
      parts[#parts + 1] = string.sub(seg, pos, off - 1)
      parts[#parts + 1] = struct.pack('<d', struct.unpack('<d', seg, off) + delta[k])
      pos = off + 8
    end
    parts[#parts + 1] = string.sub(seg, pos)
    redis.call('SETRANGE', kDemand, s0 * 8, table.concat(parts))
  end
  local split = first
  while split <= last and buckets[split] % maxB >= buckets[first] % maxB do split = split + 1 end
  if first < split then run(first, split - 1) end
  if split <= last then run(split, last) end
  events = events + applied

  -- The dedupe sets of epochs wholly before the window go: their events would be too late anyway.
  -- Sets exist for the epochs of [oldest, latest] only, so this loop is short.
  if oldest < keepFrom then
    local lastGone = math.floor(keepFrom / epochLen) - 1
    for p = math.floor(oldest / epochLen), lastGone do redis.call('DEL', kSeen .. p) end
    oldest = keepFrom
  end
  redis.call('HSET', kState, 'level', string.format('%.17g', level), 'trend', string.format('%.17g', trend),
    'latest', latest, 'oldest', oldest, 'events', events, 'lastEventTime', string.format('%.0f', lastT))
  return pos, applied, dup, late
end

local pos, applied, dup, late = 6, 0, 0, 0
for k = 1, #KEYS, 3 do
  local ap, du, la
  pos, ap, du, la = applyProduct(KEYS[k], KEYS[k + 1], KEYS[k + 2], pos)
  applied, dup, late = applied + ap, dup + du, late + la
end
return { applied, dup, late }
