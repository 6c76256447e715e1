import type { Clock } from '../base/clock.js';
import { invalidOption } from '../base/errors.js';
import type { RetryOptions } from './retrying-transport.js';

/** What every reporter and notifier accepts besides its own options. */
export interface PushOptions {
  /** The `reporter` label of the self-metrics. Default: the kind (`pushgateway`, `influxdb`, `statsd`, `slack`). */
  readonly name?: string;
  /** Timers (interval, timeouts, backoff). Default: the registry's clock, or the system clock. */
  readonly clock?: Clock;
  /** Longest wait for one attempt. Default 10,000 ms (1,000 ms for StatsD). */
  readonly timeoutMs?: number;
  readonly retry?: RetryOptions;
  /** Where the seed's variables are read (`PROMETHEUS_PUSHGATEWAY_URL`, `INFLUXDB_URL`, ...). Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** The option, else the variable; an empty variable counts as unset. */
export function fromEnv(value: string | undefined, variable: string, env: Env): string | undefined {
  if (value !== undefined) return value;
  const fromVariable = env[variable];
  return fromVariable === '' ? undefined : fromVariable;
}

export interface Endpoint {
  /** Without credentials nor a trailing slash: safe to name in a warning. */
  readonly base: string;
  /** `Authorization: Basic` when the URL carried `user:password@` (fetch refuses such URLs). */
  readonly headers: Readonly<Record<string, string>>;
}

/** An http(s) URL from the option or the variable. */
export function resolveUrl(option: string, value: string | undefined, variable: string, env: Env): Endpoint {
  const raw = fromEnv(value, variable, env);
  let url: URL | undefined;
  try {
    url = typeof raw === 'string' ? new URL(raw) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    const source = value === undefined && raw !== undefined ? `${option} (from ${variable})` : option;
    throw invalidOption(source, raw, `an http:// or https:// URL, as the option or in ${variable}`);
  }
  const headers: Record<string, string> = {};
  if (url.username !== '' || url.password !== '') {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  return { base: url.href.replace(/\/+$/, ''), headers };
}

export function resolveName(value: string | undefined, fallback: string): string {
  const name = value ?? fallback;
  if (typeof name !== 'string' || name === '') throw invalidOption('name', value, 'a non-empty string');
  return name;
}

/** `undefined` (no loop) or a finite number of ms > 0. */
export function resolveInterval(option: string, value: number | undefined): number | undefined {
  if (value !== undefined && !(value > 0 && value < Number.POSITIVE_INFINITY)) {
    throw invalidOption(option, value, 'a finite number of milliseconds > 0');
  }
  return value;
}

export function resolveCount(option: string, value: number | undefined, fallback: number): number {
  const count = value ?? fallback;
  if (!Number.isInteger(count) || count < 1) throw invalidOption(option, value, 'an integer of at least 1');
  return count;
}
