"""The Lua scripts of the Redis checkpointer: each write is one script, so Redis applies it whole.

Every script takes the six keys of one thread first, in :data:`THREAD_KEYS` order, and the index of
threads last where it needs it. Names inside the keys (see :mod:`state.checkpoint.redis_layout`) are
quoted, so ``|`` separates their parts and ``\\255`` sorts after every member of a range.
"""

from __future__ import annotations

THREAD_KEYS = ("ck", "order", "blobs", "writes", "windex", "runs")

# Shared helpers, prepended to every script. KEYS[1..6] are the thread's keys.
_COMMON = r"""
local CK, ORDER, BLOBS, WRITES, WINDEX, RUNS = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]

local function words(s)
  local out = {}
  if s then for w in string.gmatch(s, '%S+') do out[#out + 1] = w end end
  return out
end

local function chunked(cmd, key, items)
  local out = {}
  for i = 1, #items, 500 do
    local part = redis.call(cmd, key, unpack(items, i, math.min(i + 499, #items)))
    if type(part) == 'table' then for _, v in ipairs(part) do out[#out + 1] = v end end
  end
  return out
end

local function refresh(ttl)
  if ttl > 0 then for i = 1, 6 do redis.call('EXPIRE', KEYS[i], ttl) end end
end

local function write_fields(m)
  return redis.call('ZRANGEBYLEX', WINDEX, '[' .. m .. '|', '[' .. m .. '|\255')
end

local function read(m)
  local f = redis.call('HMGET', CK, m .. '|c', m .. '|m', m .. '|p', m .. '|b')
  if not f[1] then return false end
  local blobs = {}
  local refs = words(f[4])
  if #refs > 0 then
    local values = chunked('HMGET', BLOBS, refs)
    for i, ref in ipairs(refs) do
      if values[i] then blobs[#blobs + 1] = ref; blobs[#blobs + 1] = values[i] end
    end
  end
  local writes = {}
  local fields = write_fields(m)
  if #fields > 0 then
    local values = chunked('HMGET', WRITES, fields)
    for i, field in ipairs(fields) do
      if values[i] then writes[#writes + 1] = field; writes[#writes + 1] = values[i] end
    end
  end
  return {m, f[1], f[2], f[3] or '', blobs, writes}
end

local function drop(m)
  redis.call('HDEL', CK, m .. '|c', m .. '|m', m .. '|p', m .. '|b')
  redis.call('ZREM', ORDER, m)
  redis.call('HDEL', RUNS, m)
  local fields = write_fields(m)
  if #fields > 0 then
    chunked('HDEL', WRITES, fields)
    redis.call('ZREMRANGEBYLEX', WINDEX, '[' .. m .. '|', '[' .. m .. '|\255')
  end
end

-- Free the channel blobs no remaining checkpoint of the thread refers to.
local function collect_blobs()
  local keep = {}
  for _, m in ipairs(redis.call('ZRANGE', ORDER, 0, -1)) do
    for _, ref in ipairs(words(redis.call('HGET', CK, m .. '|b'))) do keep[ref] = true end
  end
  local stale = {}
  for _, ref in ipairs(redis.call('HKEYS', BLOBS)) do
    if not keep[ref] then stale[#stale + 1] = ref end
  end
  if #stale > 0 then chunked('HDEL', BLOBS, stale) end
end
"""

# KEYS: thread keys, threads ; ARGV: ttl thread member checkpoint metadata parent bref run n {field value}*
PUT = _COMMON + r"""
local ttl, thread, m = tonumber(ARGV[1]), ARGV[2], ARGV[3]
redis.call('HSET', CK, m .. '|c', ARGV[4], m .. '|m', ARGV[5], m .. '|p', ARGV[6], m .. '|b', ARGV[7])
redis.call('ZADD', ORDER, 0, m)
if ARGV[8] ~= '' then redis.call('HSET', RUNS, m, ARGV[8]) else redis.call('HDEL', RUNS, m) end
for i = 0, tonumber(ARGV[9]) - 1 do
  redis.call('HSET', BLOBS, ARGV[10 + 2 * i], ARGV[11 + 2 * i])
end
redis.call('SADD', KEYS[7], thread)
refresh(ttl)
return 1
"""

# KEYS: thread keys ; ARGV: ttl n {field value overwrite}*
# A regular write is kept as first written (a task re-run writes the same); errors, interrupts and
# resume values (negative indices) replace what was there, as LangGraph's own savers do.
PUT_WRITES = _COMMON + r"""
local ttl = tonumber(ARGV[1])
for i = 0, tonumber(ARGV[2]) - 1 do
  local field, value, overwrite = ARGV[3 + 3 * i], ARGV[4 + 3 * i], ARGV[5 + 3 * i] == '1'
  if overwrite or redis.call('HEXISTS', WRITES, field) == 0 then
    redis.call('HSET', WRITES, field, value)
    redis.call('ZADD', WINDEX, 0, field)
  end
end
refresh(ttl)
return 1
"""

# KEYS: thread keys ; ARGV: ttl namespace_prefix member ('' = the namespace's latest)
GET = _COMMON + r"""
local ttl, prefix, m = tonumber(ARGV[1]), ARGV[2], ARGV[3]
if m == '' then
  local latest = redis.call('ZREVRANGEBYLEX', ORDER, '[' .. prefix .. '\255', '[' .. prefix, 'LIMIT', 0, 1)
  if #latest == 0 then return false end
  m = latest[1]
end
local found = read(m)
if found then refresh(ttl) end
return found
"""

# KEYS: thread keys ; ARGV: ttl member* -> one reply per member that still exists
GET_MANY = _COMMON + r"""
local out = {}
for i = 2, #ARGV do
  local found = read(ARGV[i])
  if found then out[#out + 1] = found end
end
if #out > 0 then refresh(tonumber(ARGV[1])) end
return out
"""

# KEYS: thread keys, threads ; ARGV: thread
DELETE_THREAD = _COMMON + r"""
for i = 1, 6 do redis.call('DEL', KEYS[i]) end
redis.call('SREM', KEYS[7], ARGV[1])
return 1
"""

# KEYS: source thread keys (1-6), target thread keys (7-12), threads ; ARGV: ttl target
COPY_THREAD = _COMMON + r"""
if redis.call('EXISTS', ORDER) == 0 then return 0 end
local ttl = tonumber(ARGV[1])
for _, i in ipairs({1, 3, 4, 6}) do
  local flat = redis.call('HGETALL', KEYS[i])
  for j = 1, #flat, 1000 do
    redis.call('HSET', KEYS[i + 6], unpack(flat, j, math.min(j + 999, #flat)))
  end
end
for _, i in ipairs({2, 5}) do
  local members = redis.call('ZRANGE', KEYS[i], 0, -1)
  for j = 1, #members, 500 do
    local args = {}
    for k = j, math.min(j + 499, #members) do args[#args + 1] = 0; args[#args + 1] = members[k] end
    redis.call('ZADD', KEYS[i + 6], unpack(args))
  end
end
if ttl > 0 then for i = 7, 12 do redis.call('EXPIRE', KEYS[i], ttl) end end
redis.call('SADD', KEYS[13], ARGV[2])
return 1
"""

# KEYS: thread keys ; ARGV: (none) -> keeps the newest checkpoint of every namespace
PRUNE_KEEP_LATEST = _COMMON + r"""
local members = redis.call('ZRANGE', ORDER, 0, -1)
if #members == 0 then return 0 end
local latest = {}
for _, m in ipairs(members) do latest[string.match(m, '^([^|]*)|')] = m end
local dropped = 0
for _, m in ipairs(members) do
  if latest[string.match(m, '^([^|]*)|')] ~= m then drop(m); dropped = dropped + 1 end
end
if dropped > 0 then collect_blobs() end
return dropped
"""

# KEYS: thread keys, threads ; ARGV: thread run_id*
DELETE_FOR_RUNS = _COMMON + r"""
if redis.call('EXISTS', ORDER) == 0 then
  redis.call('SREM', KEYS[7], ARGV[1])
  return 0
end
local wanted = {}
for i = 2, #ARGV do wanted[ARGV[i]] = true end
local flat = redis.call('HGETALL', RUNS)
local dropped = 0
for i = 1, #flat, 2 do
  if wanted[flat[i + 1]] then drop(flat[i]); dropped = dropped + 1 end
end
if dropped > 0 then
  collect_blobs()
  if redis.call('EXISTS', ORDER) == 0 then redis.call('SREM', KEYS[7], ARGV[1]) end
end
return dropped
"""
