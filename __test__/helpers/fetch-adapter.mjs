// The request adapter the core suites send through. One place to switch adapters: the suites
// test the pipeline's contract with the adapter, which both adapters share.
import adapterFetchModule from 'alova/fetch';

export const adapterFetch = adapterFetchModule;
