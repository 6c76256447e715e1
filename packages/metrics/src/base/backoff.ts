import { invalidOption } from './errors.js';
import { positiveMs } from './options.js';

export interface BackoffOptions {
  /** Wait before the second attempt; each later wait is `multiplier` times longer. */
  readonly initialDelayMs?: number | undefined;
  /** Longest wait between attempts, also the cap on a peer's `Retry-After`. */
  readonly maxDelayMs?: number | undefined;
  /** Default 2. */
  readonly multiplier?: number;
  /** Each wait is spread uniformly over ±`jitter` of itself, so clients that failed together do not retry together. */
  readonly jitter?: number;
  /** Uniform in [0, 1); `Math.random` by default (tests pass a fixed one). */
  readonly random?: () => number;
}

/**
 * Exponential backoff with jitter, capped, never shorter than a peer's `Retry-After`: the one retry
 * policy of both packages (the library's reporters, the server's notification delivery and remote
 * writer). `defaults` are the caller's; `option` prefixes the name of a bad option in the error.
 */
export class Backoff {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly multiplier: number;
  readonly jitter: number;
  readonly #random: () => number;

  constructor(
    options: BackoffOptions | undefined,
    defaults: Required<Pick<BackoffOptions, 'initialDelayMs' | 'maxDelayMs' | 'jitter'>>,
    option = 'retry',
  ) {
    const o = options ?? {};
    if (typeof o !== 'object' || o === null)
      throw invalidOption(option, o, 'an object such as { maxDelayMs: 30000 }');
    this.initialDelayMs = positiveMs(`${option}.initialDelayMs`, o.initialDelayMs ?? defaults.initialDelayMs);
    this.maxDelayMs = positiveMs(`${option}.maxDelayMs`, o.maxDelayMs ?? defaults.maxDelayMs);
    this.multiplier = o.multiplier ?? 2;
    if (!(this.multiplier >= 1 && this.multiplier < Number.POSITIVE_INFINITY))
      throw invalidOption(`${option}.multiplier`, o.multiplier, 'a finite number of at least 1');
    this.jitter = o.jitter ?? defaults.jitter;
    if (!(this.jitter >= 0 && this.jitter <= 1))
      throw invalidOption(`${option}.jitter`, o.jitter, 'a number from 0 to 1');
    this.#random = o.random ?? Math.random;
    if (typeof this.#random !== 'function') throw invalidOption(`${option}.random`, o.random, 'a function');
  }

  /** The wait after failed attempt number `attempt` (1-based). */
  delayMs(attempt: number, retryAfterMs?: number): number {
    const base = Math.min(this.maxDelayMs, this.initialDelayMs * this.multiplier ** (attempt - 1));
    const spread = this.jitter === 0 ? base : base * (1 + this.jitter * (2 * this.#random() - 1));
    const wait = retryAfterMs === undefined ? spread : Math.max(spread, retryAfterMs);
    return Math.round(Math.min(this.maxDelayMs, wait));
  }
}
