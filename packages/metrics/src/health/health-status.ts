import type { ApiKeyStatus } from './api-key-status.js';
import type { CheckDetails } from './health-check.js';

/** `unknown`: registered, not run yet. */
export type HealthState = 'healthy' | 'degraded' | 'unhealthy' | 'unknown';

/** A provider the application calls (an LLM API), or any other dependency (a database, a queue). */
export type CheckKind = 'provider' | 'dependency';

/** Everything known about one check at one moment. Times are Unix ms, durations ms. */
export interface CheckStatus {
  readonly name: string;
  readonly kind: CheckKind;
  readonly state: HealthState;
  /** The last run succeeded. A degraded check is up, hence healthy in the seed's boolean sense. */
  readonly healthy: boolean;
  /** A critical check that is unhealthy makes the whole service unhealthy; another only degrades it. */
  readonly critical: boolean;
  /** Why the state is not `healthy`, in words. */
  readonly reasons: readonly string[];
  readonly lastCheck?: number;
  readonly lastSuccess?: number;
  /** Of the last run, whether it succeeded or not. */
  readonly responseTimeMs?: number;
  /** Of the last run, when it failed. */
  readonly error?: string;
  readonly details?: CheckDetails;
  /** Failed runs over runs in the last 24 hours; 0 before any run. */
  readonly errorRate24h: number;
  /** Successful runs over runs; undefined while the window holds no run. */
  readonly uptime24h?: number;
  readonly uptime30d?: number;
  /** Mean response time of the successful runs in the last 24 hours, and 30 days. */
  readonly averageResponseTimeMs24h?: number;
  readonly averageResponseTimeMs30d?: number;
  readonly runs24h: number;
  /** Providers only. */
  readonly apiKey?: ApiKeyStatus;
}

/**
 * The seed's `generate_health_report` rule, with criticality: any critical check unhealthy makes
 * the service unhealthy; any degraded check, or a non-critical unhealthy one, degrades it; a check
 * that has not run yet leaves it `unknown` when nothing is worse.
 */
export function overallState(statuses: readonly CheckStatus[]): HealthState {
  let state: HealthState = 'healthy';
  for (const s of statuses) {
    if (s.state === 'unhealthy' && s.critical) return 'unhealthy';
    if (s.state === 'degraded' || s.state === 'unhealthy') state = 'degraded';
    else if (s.state === 'unknown' && state === 'healthy') state = 'unknown';
  }
  return state;
}
