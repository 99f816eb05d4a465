'use strict';
// createCaptchaProvider: alova's options, record shape (`[{ code, resetTs }, expireTs]` under
// `${keyPrefix}:${key}`) and error texts, with three fixes:
// - codes come from crypto.randomInt;
// - the resend interval is checked and reserved in one atomic step (a Lua script on our
//   RedisStorageAdapter, a per-key queue on other adapters), so concurrent sends for one key
//   cannot both pass; a failed send gives the reservation back; likewise a code verifies
//   true at most once;
// - sendCaptcha returns a lazy-but-started sending: it starts at once (awaiting it works as
//   in alova) and it is also sendable, so `retry(sendCaptcha(create, { key }), opts)` retries
//   the sending, each retry being a complete send attempt.
const { randomInt } = require('node:crypto');
const { AlovaError, codes } = require('../errors');
const { Sendable, runHook, withSignal, noop } = require('./sendable');
const { runsAtomicScripts, serialize } = require('./atomic-store');
const { redisKey } = require('./redis-keys');

const DEFAULT_CHARS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const DEFAULT_LENGTH = 4;

/** Refuses a codeSet that could never produce a code, at createCaptchaProvider. */
function checkCodeSet(codeSet) {
  if (codeSet === undefined || typeof codeSet === 'function') return;
  const chars = Array.isArray(codeSet) ? codeSet : codeSet && codeSet.chars;
  const length = Array.isArray(codeSet) ? undefined : codeSet && codeSet.length;
  const bad = (what) => new AlovaError(`\`codeSet\` ${what}`, 'Captcha', codes.INVALID_ARG);
  if (codeSet === null || typeof codeSet !== 'object') throw bad('must be an array of characters, { chars, length } or a function');
  if (chars !== undefined && (!Array.isArray(chars) || chars.length === 0)) throw bad('needs at least one character');
  if (length !== undefined && !(Number.isInteger(length) && length > 0)) throw bad('length must be a positive integer');
}

function generateCode(codeSet = DEFAULT_CHARS) {
  if (typeof codeSet === 'function') return codeSet();
  const { chars = DEFAULT_CHARS, length = DEFAULT_LENGTH } = Array.isArray(codeSet) ? { chars: codeSet } : codeSet;
  let code = '';
  for (let i = 0; i < length; i += 1) code += chars[randomInt(chars.length)];
  return code;
}

// Reserve: refuse while a record's resetTs is in the future; otherwise write the pending
// record (the same shape as the final one) and return it with the previous value.
// ARGV: now, resetTs, expireTs, ttlMs, fresh code (JSON; '' = none yet: answer {2} when one
// is needed, so a user's codeSet runs only for sends that proceed), reuse stored code.
const RESERVE = `
local old = redis.call('GET', KEYS[1])
local now = tonumber(ARGV[1])
local codeJson = ARGV[5]
if old then
  local ok, rec = pcall(cjson.decode, old)
  if ok and type(rec) == 'table' and type(rec[1]) == 'table' then
    local data, exp = rec[1], tonumber(rec[2]) or 0
    if data.resetTs and now < tonumber(data.resetTs) then return {0} end
    if ARGV[6] == '1' and data.code ~= nil and now < exp then codeJson = cjson.encode(data.code) end
  end
end
if codeJson == '' then return {2} end
local pending = '[{"code":' .. codeJson .. ',"resetTs":' .. ARGV[2] .. '},' .. ARGV[3] .. ']'
redis.call('SET', KEYS[1], pending, 'PX', ARGV[4])
return {1, pending, old}
`;

// Release: put the previous value back (or delete) if the pending record is still there.
// ARGV: pending value, previous value ('' = none), previous ttl ms.
const RELEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] ~= '' and tonumber(ARGV[3]) > 0 then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
else
  redis.call('DEL', KEYS[1])
end
return 1
`;

// Verify: false for a missing record; an expired one is removed; a match is removed and true.
// ARGV: now, the code (a number as its decimal text), its JS type.
const VERIFY = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local ok, rec = pcall(cjson.decode, v)
if not ok or type(rec) ~= 'table' or type(rec[1]) ~= 'table' then return 0 end
if tonumber(ARGV[1]) > (tonumber(rec[2]) or 0) then
  redis.call('DEL', KEYS[1])
  return 0
end
local c = rec[1].code
local same = (type(c) == 'string' and ARGV[3] == 'string' and c == ARGV[2])
  or (type(c) == 'number' and ARGV[3] == 'number' and c == tonumber(ARGV[2]))
if same then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;

function createCaptchaProvider(options) {
  const {
    resetTime = 60 * 1000,
    expireTime = 5 * 60 * 1000,
    keyPrefix = 'alova-captcha',
    store,
    resendFormStore = false,
    codeSet,
  } = options;
  if (!store) throw new AlovaError('store is required', 'Captcha', codes.INVALID_ARG);
  checkCodeSet(codeSet);
  const storeKey = (key) => `${keyPrefix}:${key}`;
  const tooEarly = () => new AlovaError('Cannot send captcha yet, please wait', 'Captcha');

  /** Atomically checks the resend interval and reserves the key; null when too early. */
  async function reserve(key) {
    const now = Date.now();
    if (runsAtomicScripts(store)) {
      // The built-in generator has no visible effect: its code goes along at once. A user's
      // codeSet is called only once the script says the send proceeds with a new code.
      const eager = typeof codeSet !== 'function';
      const run = (fresh) => {
        const args = [now, now + resetTime, now + expireTime, expireTime, fresh, resendFormStore ? '1' : '0'];
        return store.eval(RESERVE, [redisKey(store, key)], args.map(String));
      };
      let [ok, pending, previous] = await run(eager ? JSON.stringify(generateCode(codeSet)) : '');
      if (Number(ok) === 2) [ok, pending, previous] = await run(JSON.stringify(generateCode(codeSet)));
      if (Number(ok) !== 1) return null;
      return { code: JSON.parse(pending)[0].code, pending, previous };
    }
    return serialize(store, key, async () => {
      const previous = await store.get(key);
      const [data, expireTs = 0] = previous || [];
      if (data && now < data.resetTs) return null;
      const code = resendFormStore && data && now < expireTs ? data.code : generateCode(codeSet);
      const pending = [{ code, resetTs: now + resetTime }, now + expireTime];
      await store.set(key, pending);
      return { code, pending, previous };
    });
  }

  async function release(key, { pending, previous }) {
    if (runsAtomicScripts(store)) {
      const ttl = previous ? JSON.parse(previous)[1] - Date.now() : 0;
      await store.eval(RELEASE, [redisKey(store, key)], [pending, previous || '', String(ttl > 0 ? ttl : 0)]);
      return;
    }
    await serialize(store, key, async () => {
      const current = await store.get(key);
      if (JSON.stringify(current) !== JSON.stringify(pending)) return;
      if (previous && !(previous[1] <= Date.now())) await store.set(key, previous);
      else await store.remove(key);
    });
  }

  /** One complete send attempt: reserve, run the handler, write the record or give it back. */
  async function attempt(methodHandler, key, signal) {
    const k = storeKey(key);
    const reservation = await reserve(k);
    if (!reservation) throw tooEarly();
    let response;
    try {
      if (signal.aborted) throw signal.reason;
      const sending = methodHandler(reservation.code, key);
      if (sending && typeof sending.abort === 'function') {
        signal.addEventListener('abort', () => Promise.resolve(sending.abort()).catch(noop), { once: true });
      }
      response = await sending;
    } catch (error) {
      await release(k, reservation).catch(noop);
      throw error;
    }
    const now = Date.now();
    await store.set(k, [{ code: reservation.code, resetTs: now + resetTime }, now + expireTime]);
    return response;
  }

  const sendCaptcha = (methodHandler, { key }) => new CaptchaSending(withSignal((force, signal) => attempt(methodHandler, key, signal)));

  // One atomic step too, so a code verifies true at most once under concurrent checks.
  const verifyCaptcha = async (code, key) => {
    const k = storeKey(key);
    if (runsAtomicScripts(store)) {
      const args = [String(Date.now()), typeof code === 'string' ? code : String(code), typeof code];
      return Number(await store.eval(VERIFY, [redisKey(store, k)], args)) === 1;
    }
    return serialize(store, k, async () => {
      const [data, expireTs = 0] = (await store.get(k)) || [];
      if (!data || Date.now() > expireTs) {
        await store.remove(k);
        return false;
      }
      const valid = data.code === code;
      if (valid) await store.remove(k);
      return valid;
    });
  };

  return { sendCaptcha, verifyCaptcha };
}

/**
 * The result of sendCaptcha. The first attempt starts immediately (as alova's async function
 * does); awaiting the object gives that attempt's outcome. It is also sendable: the first
 * `send()` hands out the attempt already running, later ones start new attempts — which is
 * what `retry()` needs.
 */
class CaptchaSending extends Sendable {
  #first;
  #unclaimed;

  constructor(handler) {
    super(null, handler);
    this.#first = runHook(this);
    this.#unclaimed = this.#first;
  }

  send(forceRequest) {
    const first = this.#unclaimed;
    if (first) {
      this.#unclaimed = null;
      return first;
    }
    return super.send(forceRequest);
  }

  then(onFulfilled, onRejected) {
    this.#unclaimed = null;
    return this.#first.then(onFulfilled, onRejected);
  }

  catch(onRejected) {
    return this.then(undefined, onRejected);
  }

  finally(onFinally) {
    this.#unclaimed = null;
    return this.#first.finally(onFinally);
  }
}

module.exports = { createCaptchaProvider, generateCode };
