"""Lua for the Redis calendar. KEYS are always CalendarKeys.script_keys(patient):
busy, appts, starts, patient, holds, holdexp, holdof. Times are ms from the caller's clock."""

from __future__ import annotations

_COMMON = """
local now = tonumber(ARGV[1])
local function member_of(value) return string.match(value, '^([^#]*)#') end
local function drop_hold(id, member)
  redis.call('ZREM', KEYS[1], member)
  redis.call('HDEL', KEYS[5], id)
  redis.call('ZREM', KEYS[6], id)
end
local function purge()
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[6], '-inf', now, 'LIMIT', 0, 20)) do
    local value = redis.call('HGET', KEYS[5], id)
    if value then drop_hold(id, member_of(value)) else redis.call('ZREM', KEYS[6], id) end
  end
end
-- first busy member of professional `prof` overlapping [start, end), ignoring the set `skips`
local function clash(prof, lo, hi, start, skips)
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], lo, hi)) do
    if not skips[m] then
      local kind, p, id, mend, exp = string.match(m, '^(%a)|([^|]*)|([^|]*)|(%d+)|(%d+)$')
      if kind == 'h' and tonumber(exp) <= now then
        drop_hold(id, m)
      elseif p == prof and tonumber(mend) > start then
        return m
      end
    end
  end
  return false
end
-- '' when no hold is used; false when the hold is gone or expired; else its busy member
local function held(hold_id, hold_member)
  if hold_id == '' then return '' end
  local value = redis.call('HGET', KEYS[5], hold_id)
  if not value or member_of(value) ~= hold_member then return false end
  if tonumber(string.match(hold_member, '|(%d+)$')) <= now then
    drop_hold(hold_id, hold_member)
    return false
  end
  return hold_member
end
-- the patient's current hold (id, member) or nil: it never blocks them, and a booking ends it
local function own_hold(patient)
  local id = redis.call('HGET', KEYS[7], patient)
  if not id then return nil, '' end
  local value = redis.call('HGET', KEYS[5], id)
  if not value then return nil, '' end
  return id, member_of(value)
end
local function end_holds(patient, hold_id, hold_member, own_id, own_member)
  if hold_member ~= '' then drop_hold(hold_id, hold_member) end
  if own_id then drop_hold(own_id, own_member) end
  redis.call('HDEL', KEYS[7], patient)
end
local function place(start, member, id, json)
  redis.call('ZADD', KEYS[1], start, member)
  redis.call('HSET', KEYS[2], id, json)
  redis.call('ZADD', KEYS[3], start, id)
  redis.call('ZADD', KEYS[4], start, id)
end
purge()
"""

# ARGV: now, lo, hi, start, prof, member, hold_id, value, patient, expires
HOLD = _COMMON + """
local old = redis.call('HGET', KEYS[7], ARGV[9])
local old_member = ''
if old then
  local value = redis.call('HGET', KEYS[5], old)
  if value then old_member = member_of(value) end
end
local taken = clash(ARGV[5], ARGV[2], ARGV[3], tonumber(ARGV[4]), {[old_member] = true})
if taken then return {'taken', taken} end
if old_member ~= '' then drop_hold(old, old_member) end
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[6])
redis.call('HSET', KEYS[5], ARGV[7], ARGV[8])
redis.call('ZADD', KEYS[6], ARGV[10], ARGV[7])
redis.call('HSET', KEYS[7], ARGV[9], ARGV[7])
return {'ok'}
"""

# ARGV: now, lo, hi, start, prof, member, appt_id, appt_json, hold_id, hold_member, patient
BOOK = _COMMON + """
if redis.call('HEXISTS', KEYS[2], ARGV[7]) == 1 then return {'exists'} end
local skip = held(ARGV[9], ARGV[10])
if skip == false then return {'hold_gone'} end
local own_id, own = own_hold(ARGV[11])
local taken = clash(ARGV[5], ARGV[2], ARGV[3], tonumber(ARGV[4]), {[skip] = true, [own] = true})
if taken then return {'taken', taken} end
end_holds(ARGV[11], ARGV[9], skip, own_id, own)
place(ARGV[4], ARGV[6], ARGV[7], ARGV[8])
return {'ok'}
"""

# ARGV: now, lo, hi, start, prof, member, appt_id, old_json, new_json, old_member,
#       hold_id, hold_member, patient
RESCHEDULE = _COMMON + """
if redis.call('HGET', KEYS[2], ARGV[7]) ~= ARGV[8] then return {'conflict'} end
local skip = held(ARGV[11], ARGV[12])
if skip == false then return {'hold_gone'} end
local own_id, own = own_hold(ARGV[13])
local skips = {[ARGV[10]] = true, [skip] = true, [own] = true}
local taken = clash(ARGV[5], ARGV[2], ARGV[3], tonumber(ARGV[4]), skips)
if taken then return {'taken', taken} end
end_holds(ARGV[13], ARGV[11], skip, own_id, own)
redis.call('ZREM', KEYS[1], ARGV[10])
place(ARGV[4], ARGV[6], ARGV[7], ARGV[9])
return {'ok'}
"""

# ARGV: now, appt_id, old_json, new_json, busy member to free ('' keeps the slot taken)
UPDATE = _COMMON + """
if redis.call('HGET', KEYS[2], ARGV[2]) ~= ARGV[3] then return 0 end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[4])
if ARGV[5] ~= '' then redis.call('ZREM', KEYS[1], ARGV[5]) end
return 1
"""

# ARGV: now, hold_id
RELEASE = _COMMON + """
local value = redis.call('HGET', KEYS[5], ARGV[2])
if not value then return 0 end
drop_hold(ARGV[2], member_of(value))
return 1
"""
