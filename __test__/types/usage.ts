// Compiled with `tsc --noEmit` in CI: the public types accept code written the way alova
// users write it.
import { nativeVersion } from '@alova/native';

const v: string = nativeVersion;
export { v };
