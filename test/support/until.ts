export interface UntilOptions {
  /** How long before the test fails. Default 30 s: peers start slowly on a loaded machine. */
  readonly timeoutMs?: number;
  /** What to show on failure besides the last answer, e.g. the tail of the peer's log. */
  readonly context?: () => string;
  readonly intervalMs?: number;
}

/**
 * Polls `probe` until it returns something other than `undefined` or `false`, and returns it: tests
 * wait for what they need to see, never for a guessed time. A probe that throws counts as "not yet"
 * (the peer may not listen yet); the last error is shown if time runs out.
 */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: UntilOptions = {},
): Promise<T> {
  const { timeoutMs = 30_000, context, intervalMs = 100 } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError === undefined ? '' : `; last error: ${(lastError as Error).message}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}\n${context?.() ?? ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
