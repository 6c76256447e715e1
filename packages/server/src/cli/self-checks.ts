import { getHeapStatistics } from 'node:v8';
import type { Clock, Counter, Registry } from '@vigil/metrics';
import { growthWithin, type SelfCheck } from '../alerts/self-monitor.js';
import type { CorruptFile } from '../store/database-integrity.js';
import type { SeriesStore } from '../store/series-store.js';

/** A failure keeps its built-in alert firing this long after the last one. */
const FAILURE_WINDOW_MS = 15 * 60_000;
/** Resident memory past this share of the budget raises VigilMemoryNearLimit. */
const MEMORY_SHARE = 0.9;

export interface SelfCheckSources {
  readonly store: SeriesStore;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly corruption: () => readonly CorruptFile[];
  /** The memory budget in bytes; default V8's heap limit (`--max-old-space-size` or Node's own). */
  readonly memoryLimitBytes?: number;
  readonly rss?: () => number;
}

/** The conditions vigil raises built-in alerts for, over its own state (alerts/self-monitor.ts). */
export function selfChecks(sources: SelfCheckSources): SelfCheck[] {
  const { store, registry, clock } = sources;
  const total = (name: string) => () => {
    const counter = registry.getMetric(name) as Counter | undefined;
    return counter?.snapshot().points.reduce((n, p) => n + p.value, 0) ?? 0;
  };
  const limit = sources.memoryLimitBytes ?? getHeapStatistics().heap_size_limit;
  const rss = sources.rss ?? (() => process.memoryUsage.rss());
  const mib = (bytes: number) => `${Math.round(bytes / 1048576)} MiB`;
  return [
    {
      alertname: 'VigilStorageUnwritable',
      severity: 'critical',
      summary: 'vigil cannot write samples: acknowledged ingest answers 503, StatsD and scrapes are dropped',
      firing: () => {
        const reason = store.unwritable();
        return reason === undefined ? undefined : `samples cannot be written: ${reason}`;
      },
    },
    {
      alertname: 'VigilDatabaseCorrupt',
      severity: 'critical',
      summary: 'a database file of vigil is corrupt: restore it from a backup',
      firing: () => {
        const corrupt = sources.corruption();
        return corrupt.length === 0 ? undefined : corrupt.map((c) => `${c.file}: ${c.error}`).join('; ');
      },
    },
    {
      alertname: 'VigilRuleEvaluationFailing',
      severity: 'warning',
      summary: 'rules of vigil fail to evaluate: their alerts may not fire',
      firing: growthWithin(
        clock,
        FAILURE_WINDOW_MS,
        total('vigil_rule_evaluation_failures_total'),
        (n) => `${n} rule evaluations failed in the last 15 minutes (vigil_rule_evaluation_failures_total)`,
      ),
    },
    {
      alertname: 'VigilNotificationsFailing',
      severity: 'warning',
      summary: 'vigil could not deliver notifications',
      firing: growthWithin(
        clock,
        FAILURE_WINDOW_MS,
        total('vigil_notifications_dead_letter_total'),
        (n) =>
          `${n} notifications were given up after their retries in the last 15 minutes (vigil_notifications_dead_letter_total)`,
      ),
    },
    {
      alertname: 'VigilMemoryNearLimit',
      severity: 'warning',
      summary: 'vigil’s resident memory is near its budget',
      firing: () => {
        const used = rss();
        return used < MEMORY_SHARE * limit
          ? undefined
          : `resident memory ${mib(used)} is ${Math.round((100 * used) / limit)}% of the ${mib(limit)} budget`;
      },
    },
    {
      alertname: 'Watchdog',
      severity: 'none',
      summary: 'always firing, so that the receiver routed for it notices when vigil stops sending it',
      firing: () => 'vigil is running and evaluating its alerts',
    },
  ];
}
