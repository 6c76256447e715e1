import type { CheckDetails } from './health-check.js';
import { type CheckKind, type CheckStatus, type HealthState, overallState } from './health-status.js';

/** One check in the seed's `check_provider_health` shape; seconds and ISO times. */
export interface HealthReportEntry {
  readonly name: string;
  /** ISO time of the last run, or null before the first. */
  readonly timestamp: string | null;
  readonly status: HealthState;
  readonly healthy: boolean;
  readonly response_time: number | null;
  readonly error?: string;
  readonly api_key_status?: { readonly configured: boolean; readonly valid_format: boolean };
  readonly error_rate: number;
  readonly uptime_24h: number | null;
  readonly uptime_30d: number | null;
  readonly details?: CheckDetails;
}

export interface HealthReportAlert {
  readonly check: string;
  readonly kind: CheckKind;
  /** `critical` when a critical check is unhealthy, `warning` otherwise. */
  readonly severity: 'critical' | 'warning';
  readonly message: string;
}

type Counts<K extends string> = Record<`${'total' | HealthState}_${K}`, number>;

/** The seed's `generate_health_report`, with dependencies beside providers. */
export interface HealthReport {
  readonly timestamp: string;
  readonly overall_status: HealthState;
  readonly providers: Readonly<Record<string, HealthReportEntry>>;
  readonly dependencies: Readonly<Record<string, HealthReportEntry>>;
  readonly summary: Readonly<Counts<'providers'> & Counts<'dependencies'>>;
  readonly alerts: readonly HealthReportAlert[];
}

export function toHealthReport(statuses: readonly CheckStatus[], now: number): HealthReport {
  const providers: Record<string, HealthReportEntry> = {};
  const dependencies: Record<string, HealthReportEntry> = {};
  const summary: Record<string, number> = {};
  for (const kind of ['providers', 'dependencies']) {
    for (const state of ['total', 'healthy', 'degraded', 'unhealthy', 'unknown'])
      summary[`${state}_${kind}`] = 0;
  }
  const alerts: HealthReportAlert[] = [];
  for (const s of statuses) {
    const group = s.kind === 'provider' ? 'providers' : 'dependencies';
    (s.kind === 'provider' ? providers : dependencies)[s.name] = entryOf(s);
    summary[`total_${group}`]! += 1;
    summary[`${s.state}_${group}`]! += 1;
    for (const message of s.reasons) {
      const severity = s.state === 'unhealthy' && s.critical ? 'critical' : 'warning';
      alerts.push({ check: s.name, kind: s.kind, severity, message: `${s.name}: ${message}` });
    }
  }
  return {
    timestamp: new Date(now).toISOString(),
    overall_status: overallState(statuses),
    providers,
    dependencies,
    summary: summary as HealthReport['summary'],
    alerts,
  };
}

function entryOf(s: CheckStatus): HealthReportEntry {
  return {
    name: s.name,
    timestamp: s.lastCheck === undefined ? null : new Date(s.lastCheck).toISOString(),
    status: s.state,
    healthy: s.healthy,
    response_time: s.responseTimeMs === undefined ? null : s.responseTimeMs / 1000,
    ...(s.error !== undefined && { error: s.error }),
    ...(s.apiKey && {
      api_key_status: { configured: s.apiKey.configured, valid_format: s.apiKey.validFormat },
    }),
    error_rate: s.errorRate24h,
    uptime_24h: s.uptime24h ?? null,
    uptime_30d: s.uptime30d ?? null,
    ...(s.details && { details: s.details }),
  };
}
