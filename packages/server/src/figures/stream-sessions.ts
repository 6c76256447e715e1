import type { SessionDistribution, SessionEntry, SessionsDocument } from '@vigil/metrics';
import type { QueryEngine } from '../query/query-engine.js';
import type { VectorSample } from '../query/query-result.js';

export interface StoredSessionsOptions {
  readonly service: string;
  readonly version: string;
  /** Prometheus name → the seed's key (`stream_packets_sent_total` → `packets_sent`). */
  readonly names: ReadonlyMap<string, string>;
}

/** Every series of a session live now: the Sessions page's rows, `/api/metrics`' active sessions. */
const LIVE_SESSION_SERIES = '{session!=""}';
const BYTES_PER_MB = 1024 * 1024;

/**
 * The sessions of the services vigil watches, in the seed's document (the library's
 * `SessionsDocument`: one wire shape for both): one entry per `session` label value with a current
 * sample (a session that ended is gone once its series are stale), its metrics under the seed's
 * keys. A counter is the sum of the session's series (over jobs and instances), a gauge their
 * largest, a histogram its mean (`_sum / _count`, or a native histogram's; std and max are not in
 * the stored series, so null), `_seconds` shown under an `_ms` key in milliseconds. The state:
 * running (it is live), paused from `*_session_paused`, connections from `*_websocket_clients`,
 * memory from `*_session_memory_bytes`.
 *
 * vigil's own registry has no sessions: answering `/api/sessions` from it, as the library's handler
 * does for the process it runs in, listed none of the workload's.
 */
export async function storedSessions(
  engine: QueryEngine,
  now: number,
  options: StoredSessionsOptions,
): Promise<SessionsDocument> {
  const data = await engine.instantQuery(LIVE_SESSION_SERIES, now);
  const samples = data.resultType === 'vector' ? data.result : [];
  const bySession = new Map<string, Map<string, VectorSample[]>>();
  for (const sample of samples) {
    const id = sample.metric.session;
    const name = sample.metric.__name__;
    if (id === undefined || name === undefined || name.endsWith('_bucket')) continue;
    let names = bySession.get(id);
    if (!names) bySession.set(id, (names = new Map()));
    const list = names.get(name);
    if (list) list.push(sample);
    else names.set(name, [sample]);
  }

  const sessions: Record<string, SessionEntry> = {};
  let active = 0;
  let connections = 0;
  for (const id of [...bySession.keys()].sort()) {
    const series = bySession.get(id)!;
    const entry: Record<string, number | null | SessionDistribution> = {};
    let paused = false;
    let clients = 0;
    let memory: number | null = null;
    for (const [name, list] of series) {
      if (name.endsWith('_sum') || name.endsWith('_count')) continue;
      const key = options.names.get(name) ?? name;
      const scale = name.endsWith('_seconds') && key.endsWith('_ms') ? 1000 : 1;
      const native = list.filter((s) => s.histogram !== undefined);
      if (native.length > 0) {
        const sum = native.reduce((a, s) => a + s.histogram!.sum, 0);
        const count = native.reduce((a, s) => a + s.histogram!.count, 0);
        entry[key] = distribution(sum, count, scale);
        continue;
      }
      const value = name.endsWith('_total')
        ? list.reduce((a, s) => a + s.value, 0)
        : Math.max(...list.map((s) => s.value));
      entry[key] = Number.isFinite(value) ? value : null;
      if (name.endsWith('_session_paused')) paused = value === 1;
      else if (name.endsWith('_websocket_clients') && Number.isFinite(value)) clients = value;
      else if (name.endsWith('_session_memory_bytes') && Number.isFinite(value))
        memory = value / BYTES_PER_MB;
    }
    // Classic histograms: a family with _sum and _count but no native sample of its name.
    for (const [name, list] of series) {
      if (!name.endsWith('_count')) continue;
      const family = name.slice(0, -'_count'.length);
      const sums = series.get(`${family}_sum`);
      const key = options.names.get(family) ?? family;
      if (!sums || series.has(family)) continue;
      const scale = family.endsWith('_seconds') && key.endsWith('_ms') ? 1000 : 1;
      const sum = sums.reduce((a, s) => a + s.value, 0);
      const count = list.reduce((a, s) => a + s.value, 0);
      entry[key] = distribution(sum, count, scale);
    }
    sessions[id] = {
      ...entry,
      memory_usage_mb: memory,
      is_running: true,
      is_paused: paused,
      connections: clients,
    };
    if (!paused) active++;
    connections += clients;
  }
  return {
    timestamp: now / 1000,
    service: options.service,
    version: options.version,
    metrics: {
      total_sessions: Object.keys(sessions).length,
      active_sessions: active,
      total_connections: connections,
      sessions,
    },
  };
}

/** The stored series give a histogram's mean alone: its std and max are null. */
function distribution(sum: number, count: number, scale: number): SessionDistribution {
  const mean = count > 0 ? (sum / count) * scale : Number.NaN;
  return { mean: Number.isFinite(mean) ? mean : null, std: null, max: null };
}
