import { invalidOption } from '../base/errors.js';
import type { CheckFn } from './health-check.js';

export interface HttpCheckOptions {
  readonly url: string | URL;
  /** Default `GET`. */
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Inclusive range of accepted status codes. Default `[200, 299]`. */
  readonly status?: readonly [number, number];
  /** The response body must contain this string, or match this pattern. */
  readonly bodyMatch?: string | RegExp;
}

/**
 * A check that requests `url` with the global `fetch`. Up when the status is in range and, with
 * `bodyMatch`, the body matches. Outside a `HealthMonitor`, pass `AbortSignal.timeout(ms)`.
 */
export function httpCheck(options: HttpCheckOptions): CheckFn {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('httpCheck options', options, 'an object with at least { url }');
  }
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw invalidOption('httpCheck url', options.url, 'an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidOption('httpCheck url', options.url, 'an absolute http(s) URL');
  }
  const [low, high] = options.status ?? [200, 299];
  if (!Number.isInteger(low) || !Number.isInteger(high) || low < 100 || high > 599 || low > high) {
    throw invalidOption(
      'httpCheck status',
      options.status,
      'a range [low, high] of status codes in 100..599',
    );
  }
  const match = options.bodyMatch;
  if (match !== undefined && typeof match !== 'string' && !(match instanceof RegExp)) {
    throw invalidOption('httpCheck bodyMatch', match, 'a string or a RegExp');
  }
  const init: RequestInit = {
    method: options.method ?? 'GET',
    headers: { ...options.headers },
    ...(options.body !== undefined && { body: options.body }),
  };

  return async (signal) => {
    const response = await fetch(url, { ...init, signal });
    if (response.status < low || response.status > high) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status}, expected ${low}-${high}`);
    }
    if (match === undefined) {
      await response.body?.cancel();
      return;
    }
    const text = await response.text();
    // `search` ignores a /g pattern's lastIndex, which `test` would carry from one run to the next.
    const found = typeof match === 'string' ? text.includes(match) : text.search(match) !== -1;
    if (!found)
      throw new Error(
        `response body does not match ${typeof match === 'string' ? 'the expected text' : match}`,
      );
  };
}
