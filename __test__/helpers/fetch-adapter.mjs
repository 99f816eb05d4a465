// The request adapter the core suites send through: the native one, so the pipeline is tested
// end to end on what users run.
import adapterFetchModule from '@alova/native/fetch';

export const adapterFetch = adapterFetchModule;
