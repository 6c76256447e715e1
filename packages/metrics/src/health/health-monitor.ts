import { type Clock, systemClock } from '../base/clock.js';
import { invalidOption } from '../base/errors.js';
import { checkMetricName } from '../base/names.js';
import { positiveMs } from '../base/options.js';
import type { Registry } from '../core/registry.js';
import { apiKeyEnvVar, apiKeyStatus } from './api-key-status.js';
import type { CheckFn, CheckResult } from './health-check.js';
import { HealthGauges } from './health-gauges.js';
import { type HealthReport, toHealthReport } from './health-report.js';
import { type CheckKind, type CheckStatus, type HealthState, overallState } from './health-status.js';
import { Redactor } from './redactor.js';
import { Ring } from './ring.js';
import { runCheck } from './run-check.js';
import { UptimeBuckets } from './uptime-buckets.js';

export interface HealthCheckOptions {
  /** Unique; the `provider` (or `dependency`) label of the check's gauges. */
  readonly name: string;
  readonly check: CheckFn;
  /** Default `dependency`. Providers get the API key status and the `<prefix>_provider_*` gauges. */
  readonly kind?: CheckKind;
  /** Default 30,000. */
  readonly intervalMs?: number;
  /** A run that takes longer is recorded as failed and its signal aborted. Default 10,000. */
  readonly timeoutMs?: number;
  /** Default true: unhealthy makes the service unhealthy. False: it only degrades it. */
  readonly critical?: boolean;
  /** Response time above which the check is degraded. Default: the monitor's `slowMs`. */
  readonly slowMs?: number;
  /** Providers: the variable holding the key (default `<NAME>_API_KEY`), or false for a keyless provider. */
  readonly apiKeyEnv?: string | false;
  /** Providers: the key's expected shape, for a provider vigil does not know. */
  readonly apiKeyFormat?: RegExp;
}

export interface HealthMonitorOptions {
  /** Where the `<prefix>_provider_up` / `_uptime_ratio` / `_response_time_seconds` gauges go; none without. */
  readonly registry?: Registry;
  /** Default `vigil`. */
  readonly prefix?: string;
  /** Default: the registry's clock, else the system clock. Drives intervals, timeouts and windows. */
  readonly clock?: Clock;
  /** Results kept per check for `history()`. Default 100. */
  readonly historySize?: number;
  /** Default 5,000 ms, the seed's `alert_thresholds.response_time`. */
  readonly slowMs?: number;
  /** Share of failed runs over 24 hours above which an up check is degraded. Default 0.05, as the seed. */
  readonly errorRate?: number;
  /** Where API keys are read from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Further values to redact from errors, beside every `*_KEY`, `*_TOKEN`, `*_SECRET`, `*_PASSWORD` in `env`. */
  readonly secrets?: readonly string[];
  readonly checks?: readonly HealthCheckOptions[];
}

interface CheckState {
  readonly name: string;
  readonly kind: CheckKind;
  readonly check: CheckFn;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly critical: boolean;
  readonly slowMs: number;
  readonly apiKeyEnv: string | false;
  readonly apiKeyFormat: RegExp | undefined;
  readonly history: Ring<CheckResult>;
  readonly buckets: UptimeBuckets;
  last: CheckResult | undefined;
  lastSuccess: number | undefined;
  running: Promise<CheckResult> | undefined;
  stopTimer: (() => void) | undefined;
}

/**
 * Runs named checks on their intervals, keeps their recent results and uptime over 24 hours and 30
 * days, and derives healthy / degraded / unhealthy per check and overall, as the LLM-orchestrator
 * seed's `ProviderHealthMonitor`. Nothing a check reports leaves it without secrets redacted.
 */
export class HealthMonitor {
  readonly #checks = new Map<string, CheckState>();
  readonly #clock: Clock;
  readonly #gauges: HealthGauges | undefined;
  readonly #historySize: number;
  readonly #slowMs: number;
  readonly #errorRate: number;
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #redactor: Redactor;
  #started = false;

  constructor(options: HealthMonitorOptions = {}) {
    this.#clock = options.clock ?? options.registry?.clock ?? systemClock;
    const prefix = checkMetricName(options.prefix ?? 'vigil', 'prefix');
    this.#gauges = options.registry && new HealthGauges(options.registry, prefix);
    this.#historySize = options.historySize ?? 100;
    if (!Number.isInteger(this.#historySize) || this.#historySize < 1) {
      throw invalidOption('historySize', options.historySize, 'an integer of at least 1');
    }
    this.#slowMs = positiveMs('slowMs', options.slowMs ?? 5000);
    this.#errorRate = options.errorRate ?? 0.05;
    if (!(this.#errorRate >= 0 && this.#errorRate <= 1)) {
      throw invalidOption('errorRate', options.errorRate, 'a ratio from 0 to 1');
    }
    this.#env = options.env ?? process.env;
    this.#redactor = Redactor.fromEnv(this.#env);
    for (const secret of options.secrets ?? []) this.#redactor.add(secret);
    for (const check of options.checks ?? []) this.register(check);
  }

  register(options: HealthCheckOptions): void {
    const name = options?.name;
    if (typeof name !== 'string' || name === '')
      throw invalidOption('check name', name, 'a non-empty string');
    if (this.#checks.has(name)) throw invalidOption('check name', name, 'a name not registered yet');
    if (typeof options.check !== 'function')
      throw invalidOption(`${name}: check`, options.check, 'a function');
    const kind = options.kind ?? 'dependency';
    if (kind !== 'provider' && kind !== 'dependency') {
      throw invalidOption(`${name}: kind`, kind, '"provider" or "dependency"');
    }
    const apiKeyEnv = kind === 'provider' ? (options.apiKeyEnv ?? apiKeyEnvVar(name)) : false;
    if (apiKeyEnv !== false && (typeof apiKeyEnv !== 'string' || apiKeyEnv === '')) {
      throw invalidOption(`${name}: apiKeyEnv`, apiKeyEnv, 'an environment variable name, or false');
    }
    if (options.apiKeyFormat !== undefined && !(options.apiKeyFormat instanceof RegExp)) {
      throw invalidOption(`${name}: apiKeyFormat`, options.apiKeyFormat, 'a RegExp');
    }
    if (options.critical !== undefined && typeof options.critical !== 'boolean') {
      throw invalidOption(`${name}: critical`, options.critical, 'true or false');
    }
    if (apiKeyEnv !== false) this.#redactor.add(this.#env[apiKeyEnv]);
    const state: CheckState = {
      name,
      kind,
      check: options.check,
      intervalMs: positiveMs(`${name}: intervalMs`, options.intervalMs ?? 30_000),
      timeoutMs: positiveMs(`${name}: timeoutMs`, options.timeoutMs ?? 10_000),
      critical: options.critical ?? true,
      slowMs: positiveMs(`${name}: slowMs`, options.slowMs ?? this.#slowMs),
      apiKeyEnv,
      apiKeyFormat: options.apiKeyFormat,
      history: new Ring(this.#historySize),
      buckets: new UptimeBuckets(),
      last: undefined,
      lastSuccess: undefined,
      running: undefined,
      stopTimer: undefined,
    };
    this.#checks.set(name, state);
    if (this.#started) this.#schedule(state);
  }

  /** Stops the check and drops its history and gauge series. */
  remove(name: string): boolean {
    const state = this.#checks.get(name);
    if (!state) return false;
    state.stopTimer?.();
    this.#checks.delete(name);
    this.#gauges?.remove(state.kind, name);
    return true;
  }

  /** Runs every check now, then on its interval. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    for (const state of this.#checks.values()) this.#schedule(state);
  }

  /** Stops the intervals; runs in flight still complete and are recorded. */
  stop(): void {
    this.#started = false;
    for (const state of this.#checks.values()) {
      state.stopTimer?.();
      state.stopTimer = undefined;
    }
  }

  #schedule(state: CheckState): void {
    state.stopTimer = this.#clock.every(state.intervalMs, () => void this.#run(state));
    void this.#run(state);
  }

  /** Runs one check now (joining a run in flight) and returns its result. */
  run(name: string): Promise<CheckResult> {
    const state = this.#checks.get(name);
    if (!state) return Promise.reject(invalidOption('check name', name, 'a registered check'));
    return this.#run(state);
  }

  /** Runs every check now and returns the statuses after. */
  async runAll(): Promise<CheckStatus[]> {
    await Promise.all([...this.#checks.values()].map((state) => this.#run(state)));
    return this.statuses();
  }

  /** One run at a time per check: a timer firing while a run is in flight joins it. */
  #run(state: CheckState): Promise<CheckResult> {
    if (state.running) return state.running;
    let done = false;
    const run = runCheck(state.check, state.timeoutMs, this.#clock, this.#redactor, (result) => {
      done = true;
      state.running = undefined;
      this.#store(state, result);
    });
    if (!done) state.running = run;
    return run;
  }

  #store(state: CheckState, result: CheckResult): void {
    state.history.push(result);
    state.buckets.record(result.timestamp, result.ok, result.responseTimeMs);
    state.last = result;
    if (result.ok) state.lastSuccess = result.timestamp;
    if (this.#checks.get(state.name) === state) {
      this.#gauges?.update(state.kind, state.name, result, state.buckets, this.#clock.now());
    }
  }

  status(name: string): CheckStatus | undefined {
    const state = this.#checks.get(name);
    return state && this.#statusOf(state, this.#clock.now());
  }

  statuses(): CheckStatus[] {
    const now = this.#clock.now();
    return [...this.#checks.values()].map((state) => this.#statusOf(state, now));
  }

  /** Oldest first, at most `historySize`. */
  history(name: string): CheckResult[] {
    return this.#checks.get(name)?.history.toArray() ?? [];
  }

  overall(): HealthState {
    return overallState(this.statuses());
  }

  /** The seed's `generate_health_report` document. */
  report(): HealthReport {
    return toHealthReport(this.statuses(), this.#clock.now());
  }

  #statusOf(state: CheckState, now: number): CheckStatus {
    const { last } = state;
    const day = state.buckets.day(now);
    const month = state.buckets.month(now);
    const runs24h = day.up + day.down;
    const errorRate24h = runs24h > 0 ? day.down / runs24h : 0;
    const reasons: string[] = [];
    let healthState: HealthState = 'unknown';
    if (last && !last.ok) {
      healthState = 'unhealthy';
      reasons.push(last.error ?? 'check failed');
    } else if (last) {
      if (last.responseTimeMs > state.slowMs) {
        reasons.push(`response time ${last.responseTimeMs} ms above ${state.slowMs} ms`);
      }
      if (errorRate24h > this.#errorRate) {
        reasons.push(`error rate ${percent(errorRate24h)} over 24h above ${percent(this.#errorRate)}`);
      }
      healthState = reasons.length > 0 ? 'degraded' : 'healthy';
    }
    return {
      name: state.name,
      kind: state.kind,
      state: healthState,
      healthy: last?.ok ?? false,
      critical: state.critical,
      reasons,
      ...(last && { lastCheck: last.timestamp, responseTimeMs: last.responseTimeMs }),
      ...(state.lastSuccess !== undefined && { lastSuccess: state.lastSuccess }),
      ...(last?.error !== undefined && { error: last.error }),
      ...(last?.details !== undefined && { details: last.details }),
      errorRate24h,
      ...(runs24h > 0 && { uptime24h: day.up / runs24h }),
      ...(day.up > 0 && { averageResponseTimeMs24h: day.upMs / day.up }),
      ...(month.up + month.down > 0 && { uptime30d: month.up / (month.up + month.down) }),
      ...(month.up > 0 && { averageResponseTimeMs30d: month.upMs / month.up }),
      runs24h,
      ...(state.apiKeyEnv !== false && {
        apiKey: apiKeyStatus(state.name, this.#env, state.apiKeyEnv, state.apiKeyFormat),
      }),
    };
  }
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 1000) / 10}%`;
}
