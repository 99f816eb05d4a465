'use strict';
// The rate-limit record step for the stores that run outside native memory: in JS over a
// plain storage adapter, and as a Redis script. The rule and its reasons are written once, in
// crates/core/src/ratelimit.rs (`step`); __test__/fixtures/vectors/ratelimit.json holds the cases all
// three must agree on.

/** The record `[points, expire]` after one step on `old` (`limit`/`blockMs` 0 for an upsert). */
function nextRecord(old, points, durationMs, limit, blockMs, force, now) {
  const never = durationMs <= 0;
  const rec = [points, never ? -1 : now + durationMs];
  if (force) return rec;
  const [oldPoints = 0, oldExpire = 0] = old || [];
  const live = oldExpire > now;
  if (never || live) rec[0] += oldPoints;
  if (!never && live) rec[1] = oldExpire;
  if (blockMs > 0 && rec[0] > limit && rec[0] <= limit + points) rec[1] = now + blockMs;
  return rec;
}

// The same step on Redis, for several keys in order, each atomic. KEYS: one per step. ARGV:
// now, then per step points, durationMs, limit, blockMs, force ('1'|'0'). Replies
// [points, expire] per step, as strings. The record is stored with a PX matching its expiry.
const RECORD_SCRIPT = `
local now = tonumber(ARGV[1])
local function fmt(n)
  if n == math.floor(n) then return string.format('%d', n) end
  return tostring(n)
end
local out = {}
for i, key in ipairs(KEYS) do
  local o = 1 + (i - 1) * 5
  local add, dur, limit, block = tonumber(ARGV[o + 1]), tonumber(ARGV[o + 2]), tonumber(ARGV[o + 3]), tonumber(ARGV[o + 4])
  local never = dur <= 0
  local p, exp = add, now + dur
  if never then exp = -1 end
  if ARGV[o + 5] ~= '1' then
    local op, oe = 0, 0
    local v = redis.call('GET', key)
    if v then
      local ok, r = pcall(cjson.decode, v)
      if ok and type(r) == 'table' then op, oe = tonumber(r[1]) or 0, tonumber(r[2]) or 0 end
    end
    if never or oe > now then p = p + op end
    if not never and oe > now then exp = oe end
    if block > 0 and p > limit and p <= limit + add then exp = now + block end
  end
  local val = '[' .. fmt(p) .. ',' .. fmt(exp) .. ']'
  if exp < 0 then
    redis.call('SET', key, val)
  elseif exp > now then
    redis.call('SET', key, val, 'PX', fmt(math.ceil(exp - now)))
  end
  out[#out + 1] = fmt(p)
  out[#out + 1] = fmt(exp)
end
return out
`;

module.exports = { nextRecord, RECORD_SCRIPT };
