'use strict';
// The response handed to alova: a light class with the WHATWG Response API over the bytes
// from the engine. One `Source` per request holds them; every `response()` call gets its own
// `NativeResponse` reading the source independently, as `Response.clone()` would.
const { NativeHeaders } = require('./headers');
const { abortError, fromBodyError } = require('./errors');
const { markFresh } = require('../core/fresh');

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);
const EMPTY = Buffer.alloc(0);

class Source {
  /**
   * `head` is the engine's one-string head: the status (three digits), `1` if redirected else
   * `0`, the status text, `\n`, the URL, `\n`, the header lines. `body` is the whole body (a
   * Buffer) or the engine's stream of it.
   */
  constructor(head, body, method) {
    const textEnd = head.indexOf('\n', 4);
    const urlEnd = head.indexOf('\n', textEnd + 1);
    this.status = +head.slice(0, 3);
    this.redirected = head.charCodeAt(3) === 49;
    this.statusText = head.slice(4, textEnd);
    this.url = head.slice(textEnd + 1, urlEnd);
    this.rawHeaders = head.slice(urlEnd + 1);
    this.nullBody = method === 'HEAD' || NULL_BODY_STATUS.has(this.status);
    this._headers = null;
    // Complete body, or a stream pulled into `chunks` on demand.
    const whole = body instanceof Uint8Array;
    this.buffer = whole ? body : null;
    this.stream = whole ? null : body;
    this.chunks = [];
    this.whole = null;
    this.loaded = this.buffer ? this.buffer.length : 0;
    this.done = !this.stream;
    this.error = null;
    this.pumping = false;
    this.waiters = [];
    this.listeners = [];
    this.onEnd = null; // (error) when a streamed body ends; set only while traced
  }

  get headers() {
    return this._headers || (this._headers = new NativeHeaders(this.rawHeaders));
  }

  /** Pulls the stream to its end, waking readers and progress listeners per batch. */
  pump() {
    if (this.pumping || this.done) return;
    this.pumping = true;
    const stream = this.stream;
    const step = () => {
      if (this.done) return; // cancelled meanwhile
      stream.read().then(
        (chunk) => {
          if (this.done) return;
          if (chunk === null) return this.settle(null);
          this.chunks.push(chunk);
          this.loaded += chunk.length;
          this.wake();
          for (const l of this.listeners) l(this.loaded);
          step();
        },
        (err) => this.settle(fromBodyError(err)),
      );
    };
    step();
  }

  settle(error) {
    if (this.done) return;
    this.done = true;
    this.error = error;
    this.stream = null;
    this.wake();
    if (this.onEnd) this.onEnd(error);
    if (error) for (const l of this.listeners) l(this.loaded, error);
  }

  wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  cancel() {
    if (this.done) return;
    const stream = this.stream;
    this.settle(abortError());
    stream.cancel();
  }

  /** The chunk at `index`, or null after the last one. */
  async chunkAt(index) {
    if (this.buffer) return index === 0 && this.buffer.length ? this.buffer : null;
    for (;;) {
      if (index < this.chunks.length) return this.chunks[index];
      if (this.error) throw this.error;
      if (this.done) return null;
      this.pump();
      await new Promise((resolve) => this.waiters.push(resolve));
    }
  }

  /** The whole body. */
  async all() {
    if (this.buffer) return this.buffer;
    while (!this.done) {
      this.pump();
      await new Promise((resolve) => this.waiters.push(resolve));
    }
    if (this.error) throw this.error;
    if (!this.whole) this.whole = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    return this.whole;
  }
}

const unusable = () => new TypeError('Body is unusable: Body has already been read');

function decode(buf) {
  // fetch's text() drops a UTF-8 byte order mark.
  const start = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  return buf.toString('utf8', start);
}

const parseJson = (b) => JSON.parse(decode(b));

class NativeResponse {
  #src;
  #used = false;
  #body;

  constructor(src) {
    this.#src = src;
  }

  get type() {
    return 'basic';
  }
  get status() {
    return this.#src.status;
  }
  get statusText() {
    return this.#src.statusText;
  }
  get ok() {
    const s = this.#src.status;
    return s >= 200 && s < 300;
  }
  get url() {
    return this.#src.url;
  }
  get redirected() {
    return this.#src.redirected;
  }
  get headers() {
    return this.#src.headers;
  }
  get bodyUsed() {
    return this.#used;
  }

  get body() {
    if (this.#body !== undefined) return this.#body;
    if (this.#src.nullBody) return (this.#body = null);
    const src = this.#src;
    let index = 0;
    return (this.#body = new ReadableStream({
      pull: async (controller) => {
        this.#used = true;
        const chunk = await src.chunkAt(index++);
        if (chunk) controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
        else controller.close();
      },
      // Releases the connection, as undici does.
      cancel: () => src.cancel(),
    }));
  }

  #take() {
    if (this.#used || (this.#body && this.#body.locked)) return Promise.reject(unusable());
    this.#used = true;
    if (this.#src.nullBody) return Promise.resolve(EMPTY);
    const b = this.#src.buffer;
    return b ? Promise.resolve(b) : this.#src.all();
  }

  text() {
    return this.#take().then(decode);
  }

  json() {
    const b = !this.#used && this.#src.buffer;
    if (!b || (this.#body && this.#body.locked) || this.#src.nullBody) return markFresh(this.#take().then(parseJson));
    // The body is in hand: parse now and skip a promise hop.
    this.#used = true;
    try {
      return markFresh(Promise.resolve(parseJson(b)));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  arrayBuffer() {
    return this.#take().then((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
  }

  bytes() {
    return this.#take().then((b) => new Uint8Array(b));
  }

  blob() {
    return this.#take().then((b) => new Blob([b], { type: this.headers.get('content-type') || '' }));
  }

  formData() {
    return this.#take().then((b) =>
      new Response(b, { headers: { 'content-type': this.headers.get('content-type') || '' } }).formData(),
    );
  }

  clone() {
    if (this.#used) throw unusable();
    return new NativeResponse(this.#src);
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return `NativeResponse { status: ${this.status}, url: '${this.url}' }`;
  }
}

// `instanceof Response` holds; every member of Response.prototype is defined above.
Object.setPrototypeOf(NativeResponse.prototype, Response.prototype);
Object.defineProperty(NativeResponse.prototype, Symbol.toStringTag, { value: 'Response' });

module.exports = { Source, NativeResponse };
