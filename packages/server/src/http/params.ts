import { parseSelector, SelectorError } from '../matchers/matcher-syntax.js';
import type { LabelMatcher } from '../store/series-store.js';
import { readBody } from './body.js';
import { badRequest, HttpError } from './http-error.js';
import type { RequestContext } from './router.js';

/** Parameters from the URL, and from a form body on POST, as Prometheus's API accepts them. */
export async function requestParams(
  { req, url }: RequestContext,
  bodyLimit: number,
): Promise<URLSearchParams> {
  const params = new URLSearchParams(url.searchParams);
  if (
    req.method === 'POST' &&
    (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
  ) {
    for (const [k, v] of new URLSearchParams((await readBody(req, bodyLimit)).toString('utf8')))
      params.append(k, v);
  }
  return params;
}

/** A Prometheus API time: RFC 3339 or Unix seconds with a fraction. Returns Unix ms. */
export function parseTime(text: string | null, fallback: number, name: string): number {
  if (text === null || text === '') return fallback;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.round(seconds * 1000);
  const ms = Date.parse(text);
  if (Number.isFinite(ms) && /^\d{4}-\d\d-\d\dT/.test(text)) return ms;
  throw badRequest(`invalid parameter "${name}": cannot parse "${text}" to a valid timestamp`);
}

/** Every `match[]` selector of a request; at least one when `required`. */
export function parseMatchers(query: URLSearchParams, required: boolean): LabelMatcher[][] {
  const selectors = query.getAll('match[]');
  if (required && selectors.length === 0) throw badRequest('no match[] parameter provided');
  return selectors.map((selector) => {
    try {
      return parseSelector(selector);
    } catch (error) {
      if (error instanceof SelectorError)
        throw new HttpError('VIGIL_BAD_SELECTOR', `invalid parameter "match[]": ${error.message}`, {
          cause: error,
        });
      throw error;
    }
  });
}

/** start/end of a request: `start` defaults to the whole retention, `end` to `defaultEnd`. */
export function timeRange(query: URLSearchParams, defaultEnd: number): [number, number] {
  const start = parseTime(query.get('start'), 0, 'start');
  const end = parseTime(query.get('end'), defaultEnd, 'end');
  if (end < start) throw badRequest('invalid parameter "end": end timestamp must not be before start time');
  return [start, end];
}
