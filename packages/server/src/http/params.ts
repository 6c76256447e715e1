import { parseSelector, SelectorError } from '../query/selector.js';
import type { LabelMatcher } from '../store/series-store.js';
import { badRequest } from './http-error.js';

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
      if (error instanceof SelectorError) throw badRequest(`invalid parameter "match[]": ${error.message}`);
      throw error;
    }
  });
}

/** start/end of a request, defaulting to the whole retention (`start`) and now (`end`). */
export function timeRange(query: URLSearchParams, nowMs: number): [number, number] {
  const start = parseTime(query.get('start'), 0, 'start');
  const end = parseTime(query.get('end'), nowMs, 'end');
  if (end < start) throw badRequest('invalid parameter "end": end timestamp must not be before start time');
  return [start, end];
}
