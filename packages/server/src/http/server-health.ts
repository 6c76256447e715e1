import type { Clock, Registry } from '@vigil/metrics';
import {
  type CheckStatus,
  type HealthDocument,
  type SystemUsage,
  toHealthDocument,
} from '@vigil/metrics/health';
import { monitoredChecks } from '../status/monitored-checks.js';
import type { SeriesStore } from '../store/series-store.js';

/**
 * How long /api/health answers with the checks it last read (the store's own check is read every
 * time). With 1,000 targets a read is about half a second of CPU, paced; probes from several
 * orchestrators and the dashboard every few seconds would otherwise each pay it.
 */
const CHECKS_REUSE_MS = 10_000;

/**
 * The monitored checks as /api/health reads them: once for every request that asks while a read is
 * under way, then reused for CHECKS_REUSE_MS of the server's clock. A failed read is not kept.
 */
export function sharedMonitoredChecks(store: SeriesStore, clock: Clock): () => Promise<CheckStatus[]> {
  let last: { atMs: number; checks: Promise<CheckStatus[]> } | undefined;
  return () => {
    const now = clock.now();
    if (last && now >= last.atMs && now - last.atMs < CHECKS_REUSE_MS) return last.checks;
    const read = { atMs: now, checks: monitoredChecks(store, now) };
    last = read;
    read.checks.catch(() => {
      if (last === read) last = undefined;
    });
    return read.checks;
  };
}

export interface ServerHealthOptions {
  readonly store: SeriesStore;
  /** What vigil monitors (sharedMonitoredChecks). */
  readonly checks: () => Promise<CheckStatus[]>;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly system: SystemUsage;
  readonly version: string;
  /** Database files found corrupt (the store's DatabaseIntegrity), by name. */
  readonly corruption?: () => readonly { readonly file: string; readonly error: string }[];
}

/**
 * `GET /api/health` of `vigil serve`: the orchestrator seed's document, whose checks are what vigil
 * monitors (scrape targets, push monitors: status/monitored-checks.ts) plus its own store, the one
 * critical check: vigil is unhealthy only when it cannot read its store or write to it (a full
 * disk: ingest answers 503 meanwhile), or one of its database files is corrupt (named, whichever it
 * is: vigil.db, alerts.db, incidents.db, reports.db); a target that is down
 * makes it `degraded`. `system_metrics` holds the machine's CPU, memory and data-disk use and the
 * store's size.
 */
export async function serverHealth(options: ServerHealthOptions): Promise<HealthDocument> {
  const { store, clock } = options;
  const now = clock.now();
  const started = performance.now();
  const failed = (error: Error) => ({ error: `the store cannot be read: ${error.message}` });
  const [storeCheck, monitored, system] = await Promise.all([
    store.stats().then((stats) => ({ stats, error: undefined }), failed),
    options.checks().then((checks) => ({ checks, error: undefined }), failed),
    options.system.read(),
  ]);
  const storeMs = performance.now() - started;
  const unwritable = store.unwritable();
  const reasons = [
    storeCheck.error ?? monitored.error,
    ...(options.corruption?.() ?? []).map((c) => `${c.file} is corrupt: ${c.error}`),
    unwritable === undefined ? undefined : `samples cannot be written: ${unwritable}`,
  ].filter((r): r is string => r !== undefined);
  const error = reasons.length === 0 ? undefined : reasons.join('; ');
  const checks = 'checks' in monitored ? monitored.checks : [];
  const own: CheckStatus = {
    name: 'store',
    kind: 'dependency',
    state: error === undefined ? 'healthy' : 'unhealthy',
    healthy: error === undefined,
    critical: true,
    reasons,
    lastCheck: now,
    responseTimeMs: storeMs,
    ...(error !== undefined && { error }),
    details: { type: 'sqlite' },
    errorRate24h: 0,
    runs24h: 1,
  };
  const stats = 'stats' in storeCheck ? storeCheck.stats : undefined;
  return toHealthDocument([own, ...checks], {
    now,
    version: options.version,
    startTime: options.registry.startTime,
    system,
    extra: {
      monitored_checks: checks.length,
      ...(stats && { store_series: stats.series, store_samples: stats.samples, store_bytes: stats.bytes }),
      ...(stats?.notLoaded && { store_series_not_loaded: stats.notLoaded.series }),
    },
  });
}
