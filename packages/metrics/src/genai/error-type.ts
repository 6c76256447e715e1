/**
 * The `error.type` of a failed call, in the seed's `error_breakdown` vocabulary: `rate_limit`,
 * `timeout`, `api_error` (the provider answered with an error status) or `other`. A string is taken
 * as the type itself; undefined, null and false mean success.
 */
export function errorTypeOf(error: unknown): string | undefined {
  if (error === undefined || error === null || error === false) return undefined;
  if (typeof error === 'string') return error === '' ? 'other' : error;
  if (typeof error !== 'object') return 'other';
  const e = error as {
    name?: unknown;
    code?: unknown;
    type?: unknown;
    status?: unknown;
    statusCode?: unknown;
    response?: { status?: unknown };
  };
  const status = e.status ?? e.statusCode ?? e.response?.status;
  const words = [e.name, e.code, e.type].filter((w) => typeof w === 'string').join(' ');
  if (status === 429 || /rate.?limit/i.test(words)) return 'rate_limit';
  if (/timeout|timedout|AbortError/i.test(words) || status === 408 || status === 504) return 'timeout';
  if (typeof status === 'number' && status >= 400) return 'api_error';
  return 'other';
}
