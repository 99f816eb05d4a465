'use strict';
const { Method } = require('../core');
const { AlovaError, codes } = require('../errors');
const { Sendable, initHook, runHook } = require('./sendable');

/**
 * A Method whose `send(force)` runs a hook handler instead of the request pipeline. Built
 * like alova's: from the entity's type, context, url and a copy of its config (so `data` is
 * not part of its key), sharing the entity's progress handler lists. Unlike alova's,
 * `abort()` reaches the wrapped request and stops the hook's own waiting.
 */
class HookedMethod extends Method {
  constructor(entity, requestHandler) {
    super(entity.type, entity.context, entity.url, { ...entity.config });
    this.config = { ...entity.config };
    this.uhs = entity.uhs;
    this.dhs = entity.dhs;
    initHook(this, entity, requestHandler);
  }

  send(forceRequest) {
    return runHook(this, forceRequest);
  }
}

/** Refuses, at the call, a `target` that is not a Method (`area`: the error's name). */
function expectMethod(target, area) {
  if (!(target instanceof Method)) throw new AlovaError('expected a Method to wrap', area, codes.INVALID_ARG);
}

/** What a hook returns for `target`: a HookedMethod for a Method, else a Sendable. */
function hookOf(target, handler) {
  if (target instanceof Method) return new HookedMethod(target, handler);
  if (target && typeof target.send === 'function') return new Sendable(target, handler);
  throw new AlovaError('expected a Method (or a sendCaptcha() result) to wrap', 'server', codes.INVALID_ARG);
}

module.exports = { HookedMethod, hookOf, expectMethod };
