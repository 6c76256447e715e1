/** How a measured call ended. */
export type Outcome = 'success' | 'error' | 'timeout';

/**
 * An error counts as a timeout when it says so the ways Node and its libraries do: a `TimeoutError`
 * (AbortSignal.timeout, DOMException), or a code such as ETIMEDOUT, ESOCKETTIMEDOUT,
 * UND_ERR_CONNECT_TIMEOUT (undici) or ECONNABORTED with a timeout message (axios).
 */
export function outcomeOf(error: unknown): Outcome {
  if (typeof error !== 'object' || error === null) return 'error';
  const { name, code } = error as { name?: unknown; code?: unknown };
  if (name === 'TimeoutError') return 'timeout';
  if (typeof code === 'string' && /TIMEDOUT|TIMEOUT/.test(code)) return 'timeout';
  return 'error';
}

/** Seconds elapsed since `start` (a performance.now() reading). */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}
