"""Lua for the timer queue. KEYS are always ShardKeys.all(): due, inflight, body, lease, attempts, skipped.

Times come in ARGV as whole milliseconds computed by the caller's clock, never from Redis TIME,
so a manual clock drives the queue in tests.
"""

from __future__ import annotations

_FORGET = """
local function forget(id)
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
  redis.call('HDEL', KEYS[4], id)
  redis.call('HDEL', KEYS[5], id)
end
"""

# ARGV: id, due_ms, body, repeated for each timer. Replaces any earlier scheduling, claimed or
# not: a stale claim's complete/retry then finds another token and does nothing.
SCHEDULE = """
for i = 1, #ARGV, 3 do
  local id = ARGV[i]
  redis.call('HSET', KEYS[3], id, ARGV[i + 2])
  redis.call('ZADD', KEYS[1], ARGV[i + 1], id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[4], id)
  redis.call('HDEL', KEYS[5], id)
end
return #ARGV / 3
"""

# ARGV: id. Returns 1 when the timer existed.
CANCEL = _FORGET + """
local existed = redis.call('HEXISTS', KEYS[3], ARGV[1])
forget(ARGV[1])
return existed
"""

# ARGV: now_ms, limit, lease_until_ms, token_base, default_max_late_ms (-1: none),
#       max_attempts, skipped_maxlen.
# Takes expired leases first (their worker died), then due timers; each is leased, or
# skipped and recorded when later than its limit or past max_attempts. One flat string per
# timer keeps the reply cheap to parse: "c<attempt>:<id bytes>:<id><body>" when claimed (its
# token is "<token_base>:<attempt>"), "s<late|dead>:<id bytes>:<id><body>" when skipped.
CLAIM = _FORGET + """
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local default_late = tonumber(ARGV[5])
local max_attempts = tonumber(ARGV[6])
local out = {}
local function take(id)
  local body = redis.call('HGET', KEYS[3], id)
  if not body then
    forget(id)
    return
  end
  local due, late = string.match(body, '^(%-?%d+)|(%-?%d+)|')
  due = tonumber(due)
  late = tonumber(late)
  if late < 0 then late = default_late end
  local attempt = redis.call('HINCRBY', KEYS[5], id, 1)
  local reason = nil
  if late >= 0 and now - due > late then
    reason = 'late'
  elseif attempt > max_attempts then
    reason = 'dead'
  end
  if reason then
    redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[7], '*',
               'id', id, 'reason', reason, 'at', ARGV[1], 'body', body)
    forget(id)
    table.insert(out, 's' .. reason .. ':' .. #id .. ':' .. id .. body)
  else
    local token = ARGV[4] .. ':' .. attempt
    redis.call('ZREM', KEYS[1], id)
    redis.call('ZADD', KEYS[2], ARGV[3], id)
    redis.call('HSET', KEYS[4], id, token)
    table.insert(out, 'c' .. attempt .. ':' .. #id .. ':' .. id .. body)
  end
end
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, limit)
for _, id in ipairs(expired) do take(id) end
if #expired < limit then
  local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit - #expired)
  for _, id in ipairs(due) do take(id) end
end
return out
"""

# ARGV: id, token, repeated. Only the holder of the current lease may finish a timer; returns
# 1 or 0 for each pair.
COMPLETE = _FORGET + """
local out = {}
for i = 1, #ARGV, 2 do
  if redis.call('HGET', KEYS[4], ARGV[i]) == ARGV[i + 1] then
    forget(ARGV[i])
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
"""

# ARGV: id, token, due_ms. Puts a claimed timer back, keeping its attempt count.
RETRY = """
if redis.call('HGET', KEYS[4], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
"""

# ARGV: id, token, lease_until_ms. Renews a lease during a long handler.
EXTEND = """
if redis.call('HGET', KEYS[4], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZADD', KEYS[2], 'XX', ARGV[3], ARGV[1])
return 1
"""
