// Compiled with `tsc --noEmit` in CI: the public types accept code written the way alova
// users write it.
import { nativeVersion } from '@alova/native';

const v: string = nativeVersion;
export { v };

// @alova/native/fetch, written as for alova/fetch.
import adapterFetch from '@alova/native/fetch';
import { createAlova } from 'alova';

const alovaInstance = createAlova({
  baseURL: 'http://127.0.0.1:3000',
  requestAdapter: adapterFetch(),
  responded: (response) => response.json(),
  timeout: 3000,
});
const getter = alovaInstance.Get<{ id: number }>('/todo', { params: { id: 1 }, credentials: 'omit' });
export { getter };

const tlsAdapter = adapterFetch({ ca: '-----BEGIN CERTIFICATE-----', rejectUnauthorized: true, maxRedirects: 5, maxResponseSize: 1 << 20, proxy: false });
const handle = tlsAdapter({ url: 'http://127.0.0.1/', type: 'GET', headers: {} }, { config: {} });
handle.onDownload((loaded: number, total: number) => loaded / total);
const viaCustom = adapterFetch.default({ customFetch: fetch });
const status: Promise<number> = handle.response().then((r: Response) => r.status);
export { viaCustom, status };
