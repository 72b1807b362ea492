"""The Lua scripts of the Redis session store (state/redis_store.py): each write is one script, so
Redis runs it whole or not at all. Key and argument layouts are given above each script."""

# KEYS: meta turns versions vorder vrefs refs sessions
# ARGV: sid mode expected new_rev meta_json updated token turn_json turn_index ttl max_versions
#       blob_prefix sess_prefix redis_blobs protected turn_ids n_versions head {id json refs}*
WRITE = """
local meta, turns, versions, vorder, vrefs, refs, sessions = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local sid, mode, expected, new_rev = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local meta_json, updated, token = ARGV[5], ARGV[6], ARGV[7]
local turn_json, turn_index = ARGV[8], tonumber(ARGV[9])
local ttl, max_versions = tonumber(ARGV[10]), tonumber(ARGV[11])
local blob_prefix, sess_prefix, redis_blobs = ARGV[12], ARGV[13], ARGV[14] == '1'
local protected_arg, turn_ids, n, head = ARGV[15], ARGV[16], tonumber(ARGV[17]), ARGV[18]

local function words(s)
  local out = {}
  if s then for w in string.gmatch(s, '%S+') do out[#out + 1] = w end end
  return out
end

-- 1. Check everything; nothing is written before all checks pass.
if mode == 'create' then
  if redis.call('EXISTS', meta) == 1 then return {'exists'} end
else
  local rev = redis.call('HGET', meta, 'rev')
  if not rev then return {'notfound'} end
  if tonumber(rev) ~= expected then
    if tonumber(rev) == expected + 1 and redis.call('HGET', meta, 'token') == token then
      return {'applied'}
    end
    return {'conflict', rev}
  end
end
if turn_json ~= '' then
  local next_index = redis.call('LLEN', turns) + 1
  if turn_index ~= next_index then return {'index', tostring(next_index)} end
end
if redis_blobs then
  for i = 0, n - 1 do
    for _, ref in ipairs(words(ARGV[19 + 3 * i + 2])) do
      if redis.call('EXISTS', blob_prefix .. ref) == 0 then return {'missing', ref} end
    end
  end
end

-- 2. Write.
local orphans = {}
local function acquire(ref)
  if redis.call('HINCRBY', refs, ref, 1) == 1 then redis.call('SADD', sess_prefix .. ref, sid) end
end
local function release(ref)
  if redis.call('HINCRBY', refs, ref, -1) > 0 then return end
  redis.call('HDEL', refs, ref)
  local holders = sess_prefix .. ref
  redis.call('SREM', holders, sid)
  if redis.call('SCARD', holders) == 0 then
    redis.call('DEL', holders)
    if redis_blobs then redis.call('DEL', blob_prefix .. ref) end
    orphans[#orphans + 1] = ref
  end
end

local previous_turn = redis.call('HGET', meta, 'lastturn')
redis.call('HSET', meta, 'rev', new_rev, 'json', meta_json, 'token', token, 'head', head)
if turn_json ~= '' then
  redis.call('RPUSH', turns, turn_json)
  redis.call('HSET', meta, 'lastturn', turn_ids)
end
local protected = {}
for _, id in ipairs(words(protected_arg)) do protected[id] = true end
for _, id in ipairs(words(previous_turn)) do protected[id] = true end
for i = 0, n - 1 do
  local id, json, vr = ARGV[19 + 3 * i], ARGV[19 + 3 * i + 1], ARGV[19 + 3 * i + 2]
  protected[id] = true
  local old = redis.call('HGET', vrefs, id)
  for _, ref in ipairs(words(vr)) do acquire(ref) end
  redis.call('HSET', versions, id, json)
  redis.call('HSET', vrefs, id, vr)
  if redis.call('ZSCORE', vorder, id) == false then
    redis.call('ZADD', vorder, redis.call('HINCRBY', meta, 'seq', 1), id)
  end
  -- released after the new refs are held, so a blob kept by the rewrite is never freed
  for _, ref in ipairs(words(old)) do release(ref) end
end
redis.call('ZADD', sessions, updated, sid)

-- 3. Cap: prune the oldest versions nothing still points at.
if max_versions > 0 then
  local excess = redis.call('ZCARD', vorder) - max_versions
  if excess > 0 then
    local n_protected = 0
    for _ in pairs(protected) do n_protected = n_protected + 1 end
    for _, id in ipairs(redis.call('ZRANGE', vorder, 0, excess + n_protected - 1)) do
      if excess == 0 then break end
      if not protected[id] then
        for _, ref in ipairs(words(redis.call('HGET', vrefs, id))) do release(ref) end
        redis.call('HDEL', versions, id)
        redis.call('HDEL', vrefs, id)
        redis.call('ZREM', vorder, id)
        excess = excess - 1
      end
    end
  end
end

if ttl > 0 then
  for i = 1, 6 do redis.call('EXPIRE', KEYS[i], ttl) end
end
local reply = {'ok'}
for _, ref in ipairs(orphans) do reply[#reply + 1] = ref end
return reply
"""

# KEYS: meta turns versions vorder vrefs refs ; ARGV: recent ttl
LOAD = """
local json = redis.call('HGET', KEYS[1], 'json')
if not json then return false end
local head = redis.call('HGET', KEYS[1], 'head')
local version = false
if head and head ~= '' then version = redis.call('HGET', KEYS[3], head) end
local recent, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
local turns = {}
if recent > 0 then turns = redis.call('LRANGE', KEYS[2], -recent, -1) end
if ttl > 0 then
  for i = 1, 6 do redis.call('EXPIRE', KEYS[i], ttl) end
end
return {json, version, turns}
"""

# KEYS: meta turns versions vorder vrefs refs sessions ; ARGV: sid blob_prefix sess_prefix redis_blobs
DELETE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local sid, blob_prefix, sess_prefix, redis_blobs = ARGV[1], ARGV[2], ARGV[3], ARGV[4] == '1'
local orphans = {}
for _, ref in ipairs(redis.call('HKEYS', KEYS[6])) do
  local holders = sess_prefix .. ref
  redis.call('SREM', holders, sid)
  if redis.call('SCARD', holders) == 0 then
    redis.call('DEL', holders)
    if redis_blobs then redis.call('DEL', blob_prefix .. ref) end
    orphans[#orphans + 1] = ref
  end
end
for i = 1, 6 do redis.call('DEL', KEYS[i]) end
redis.call('ZREM', KEYS[7], sid)
return orphans
"""

# KEYS: blobsess key ; ARGV: session key prefix, blob key, redis_blobs
COLLECT = """
for _, sid in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. sid .. ':meta') == 0 then redis.call('SREM', KEYS[1], sid) end
end
if redis.call('SCARD', KEYS[1]) > 0 then return 0 end
redis.call('DEL', KEYS[1])
if ARGV[3] == '1' then redis.call('DEL', ARGV[2]) end
return 1
"""
