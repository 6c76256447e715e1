/** Extra facts a check reports, shown next to its status (`models_available`, `rate_limit_remaining`). */
export type CheckDetails = Readonly<Record<string, string | number | boolean | null | readonly string[]>>;

/**
 * What a check function may return. Resolving means up, unless it resolves to `false` or to
 * `{ ok: false }`; throwing or rejecting means down, with the error's message.
 */
export type CheckOutcome =
  | boolean
  | undefined
  // biome-ignore lint/suspicious/noConfusingVoidType: a `(): void` function, such as `() => db.ping()` typed by its library, is a valid check.
  | void
  | {
      readonly ok?: boolean;
      readonly error?: string;
      readonly details?: CheckDetails;
      /**
       * The response time the check measured itself, in ms, when the time the function took is not
       * it: a probe that reports the latency of the request it is about, a simulated provider.
       * Without it (or when not a finite number ≥ 0), the run's own duration counts.
       */
      readonly responseTimeMs?: number;
    };

/**
 * A health check. `signal` aborts when the check's timeout passes: hand it to `fetch`, a socket or a
 * driver so the work stops too. The monitor records the timeout either way.
 */
export type CheckFn = (signal: AbortSignal) => CheckOutcome | Promise<CheckOutcome>;

/** One run of a check. */
export interface CheckResult {
  /** Unix ms when the run started. */
  readonly timestamp: number;
  readonly ok: boolean;
  /** From start to success, failure or timeout, in milliseconds, or what the check reported. */
  readonly responseTimeMs: number;
  /** Why it failed, with every known secret redacted. */
  readonly error?: string;
  readonly details?: CheckDetails;
}
