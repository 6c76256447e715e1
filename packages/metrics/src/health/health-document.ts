import type { CheckDetails } from './health-check.js';
import { type CheckStatus, type HealthState, overallState } from './health-status.js';
import type { SystemUsageSample } from './system-usage.js';

export interface HealthDocumentOptions {
  /** Unix ms. */
  readonly now: number;
  /** Default `unknown`. */
  readonly version?: string;
  /** Unix ms the service started, for `uptime`. Default: this process's start. */
  readonly startTime?: number;
  /** From `SystemUsage.read()`: fills cpu_usage, memory_usage and disk_usage (percent). */
  readonly system?: SystemUsageSample;
  /** More `system_metrics` entries, such as the seed's `active_sessions` and `requests_per_minute`. */
  readonly extra?: Readonly<Record<string, number>>;
}

/** One check as the seed's `/api/health` shows a provider; details (`models_available`, ...) spread in. */
export type HealthDocumentEntry = CheckDetails & {
  readonly healthy: boolean;
  readonly status: HealthState;
  readonly last_check: string | null;
  /** Seconds; null when the last run failed, as the seed shows a provider that timed out. */
  readonly response_time: number | null;
  readonly api_key_configured?: boolean;
  readonly api_key_valid_format?: boolean;
  readonly error?: string;
  readonly last_success?: string;
  readonly error_rate_24h: number;
  readonly uptime_24h: number | null;
  readonly uptime_30d: number | null;
};

/** The seed's `GET /api/health` response. Holds no secret: API keys appear as two booleans. */
export interface HealthDocument {
  readonly status: HealthState;
  readonly timestamp: string;
  readonly version: string;
  /** `5d 12h 34m 22s`. */
  readonly uptime: string;
  readonly uptime_seconds: number;
  readonly providers_status: Readonly<Record<string, HealthDocumentEntry>>;
  readonly dependencies_status: Readonly<Record<string, HealthDocumentEntry>>;
  readonly system_metrics: Readonly<Record<string, number>>;
}

export function toHealthDocument(
  statuses: readonly CheckStatus[],
  options: HealthDocumentOptions,
): HealthDocument {
  const providers: Record<string, HealthDocumentEntry> = {};
  const dependencies: Record<string, HealthDocumentEntry> = {};
  for (const s of statuses) (s.kind === 'provider' ? providers : dependencies)[s.name] = entryOf(s);
  const uptimeSeconds = Math.max(
    0,
    Math.floor((options.now - (options.startTime ?? performance.timeOrigin)) / 1000),
  );
  const system = options.system;
  return {
    status: overallState(statuses),
    timestamp: new Date(options.now).toISOString(),
    version: options.version ?? 'unknown',
    uptime: formatUptime(uptimeSeconds),
    uptime_seconds: uptimeSeconds,
    providers_status: providers,
    dependencies_status: dependencies,
    system_metrics: {
      ...(system && {
        cpu_usage: percent(system.cpuRatio),
        memory_usage: percent(system.memoryRatio),
        ...(system.disk && { disk_usage: percent(system.disk.ratio) }),
      }),
      ...options.extra,
    },
  };
}

/** `5d 12h 34m 22s`; leading zero units left out (`34m 22s`, `0s`). */
export function formatUptime(seconds: number): string {
  const units = [
    [Math.floor(seconds / 86_400), 'd'],
    [Math.floor(seconds / 3600) % 24, 'h'],
    [Math.floor(seconds / 60) % 60, 'm'],
    [Math.floor(seconds) % 60, 's'],
  ] as const;
  const first = units.findIndex(([n]) => n > 0);
  return units
    .slice(first === -1 ? 3 : first)
    .map(([n, unit]) => `${n}${unit}`)
    .join(' ');
}

function percent(ratio: number): number {
  return Math.round(ratio * 1000) / 10;
}

function entryOf(s: CheckStatus): HealthDocumentEntry {
  return {
    ...s.details,
    healthy: s.healthy,
    status: s.state,
    last_check: s.lastCheck === undefined ? null : new Date(s.lastCheck).toISOString(),
    response_time: s.healthy && s.responseTimeMs !== undefined ? s.responseTimeMs / 1000 : null,
    ...(s.apiKey && { api_key_configured: s.apiKey.configured, api_key_valid_format: s.apiKey.validFormat }),
    ...(s.error !== undefined && { error: s.error }),
    ...(s.lastSuccess !== undefined && { last_success: new Date(s.lastSuccess).toISOString() }),
    error_rate_24h: s.errorRate24h,
    uptime_24h: s.uptime24h ?? null,
    uptime_30d: s.uptime30d ?? null,
  };
}
