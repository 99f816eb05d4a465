// `@alova/native/fetch`: alova's fetch adapter, with requests made by the native engine.
// Same call shape as `alova/fetch`; the extra options configure the engine.

declare function adapterFetch(options: adapterFetch.AdapterCreateOptions & { customFetch: typeof fetch }): adapterFetch.FetchRequestAdapter;
declare function adapterFetch(options?: adapterFetch.AdapterCreateOptions): adapterFetch.NativeFetchAdapter;

declare namespace adapterFetch {
  /** Per-method config keys the adapter reads (as alova's fetch init, minus what alova sets). */
  export type FetchRequestInit = Omit<RequestInit, 'body' | 'headers' | 'method'>;

  export interface AdapterCreateOptions {
    /** Use this fetch instead of the native engine (alova's behaviour, no engine options). */
    customFetch?: typeof fetch;
    /** Extra trusted root certificates (PEM), added to the system roots. */
    ca?: string | Uint8Array | ReadonlyArray<string | Uint8Array>;
    /** `false` accepts any server certificate. Default `true` (`false` with `NODE_TLS_REJECT_UNAUTHORIZED=0`, as Node). */
    rejectUnauthorized?: boolean;
    /** Redirects followed before the request fails. Default 20, as fetch. */
    maxRedirects?: number;
    /** Largest response body accepted, in bytes; larger ones fail with `ERR_ALOVA_BODY_TOO_LARGE`. */
    maxResponseSize?: number;
    /** Proxy URL for every request (https tunnelled with CONNECT). Default: none, as Node's fetch; with `NODE_USE_ENV_PROXY=1`, `HTTP(S)_PROXY`/`NO_PROXY`, which `false` ignores. */
    proxy?: string | false;
    /** Requests in flight per origin (1 to 65535); more wait their turn, which counts against their `timeout`. Over HTTP/1.1 it is also the most open connections per origin. Default: no limit. */
    connections?: number;
    /** How long an idle pooled connection is kept open, in ms (at least 1). Default 60000. */
    keepAliveTimeout?: number;
    /** `false`: a new connection per request, closed after its response. Default `true`. */
    keepAlive?: boolean;
    /** `false`: HTTP/1.1 only, even where the server offers HTTP/2 (negotiated through TLS ALPN). Default `true`. */
    allowH2?: boolean;
    /** How long opening a connection (TCP and TLS) may take, in ms (at least 1); fails with the timeout error. Default: the system's limit. */
    connectTimeout?: number;
  }

  export interface RequestElements {
    readonly url: string;
    readonly type: string;
    readonly headers: Record<string, any>;
    readonly data?: any;
  }

  export interface FetchRequestHandle {
    response(): Promise<Response>;
    headers(): Promise<Headers>;
    onDownload(handler: (loaded: number, total: number) => void): void;
    onUpload(handler: (loaded: number, total: number) => void): void;
    abort(): void;
  }

  export type FetchRequestAdapter = (elements: RequestElements, method: { config: FetchRequestInit }) => FetchRequestHandle;

  /** Counters of the adapter's engine since it was made. */
  export interface FetchStats {
    /** Requests sent by the engine (a followed redirect is part of its request). */
    requests: number;
    /** Requests that failed without a response (network, TLS, timeout); aborts are not counted. */
    errors: number;
    /** Response body bytes received, after decompression. */
    bytesReceived: number;
    /** Connections opened (TCP, plus TLS for https). */
    connectionsOpened: number;
    /** Requests begun whose response body has not been read to its end (or dropped) yet. */
    inFlight: number;
    /** Of those, requests waiting for a turn on their origin (`connections`). */
    waiting: number;
  }

  /** The adapter made without `customFetch`: requests go through the engine. */
  export type NativeFetchAdapter = FetchRequestAdapter & { stats(): FetchStats };

  const _default: typeof adapterFetch;
  export { _default as default };
}

export = adapterFetch;
