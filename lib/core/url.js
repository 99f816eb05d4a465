'use strict';
// Request URL assembly: baseURL + url + query string.
const { isString } = require('./utils');

const ABSOLUTE = /^https?:\/\//i;

/**
 * Joins `baseURL` and `url` (an absolute `url` ignores `baseURL`) and appends `params`.
 * Query values are URL-encoded (keys are not), as alova's current main branch does.
 */
function buildURL(baseURL, url, params) {
  let full;
  if (ABSOLUTE.test(url)) {
    full = url;
  } else {
    const base = baseURL.endsWith('/') ? baseURL.slice(0, -1) : baseURL;
    full = base + (url !== '' && !url.startsWith('/') ? '/' + url : url);
  }
  let query;
  if (isString(params)) {
    query = params;
  } else {
    query = '';
    for (const k of Object.keys(params)) {
      const v = params[k];
      if (v === undefined) continue;
      // An integer's digits need no encoding.
      query += (query ? '&' : '') + k + '=' + (Number.isSafeInteger(v) ? '' + v : encodeURIComponent(String(v)));
    }
  }
  if (!query) return full;
  return full + (full.includes('?') ? '&' : '?') + query;
}

module.exports = { buildURL };
