import type { Labels, MetricSnapshot, RegistrySnapshot } from '../core/snapshot.js';
import { jsonNumber } from './json-fields.js';

export interface SessionDistribution {
  readonly mean: number | null;
  readonly std: number | null;
  readonly max: number | null;
}

/** One scope: its metrics by name (a number, or mean/std/max for a histogram), then its state. */
export interface SessionEntry {
  readonly [metric: string]: number | boolean | null | SessionDistribution;
  readonly memory_usage_mb: number | null;
  readonly is_running: boolean;
  readonly is_paused: boolean;
  readonly connections: number;
}

/** The streaming-server seed's `/metrics` JSON document. */
export interface SessionsDocument {
  /** Unix seconds, with the milliseconds as a fraction. */
  readonly timestamp: number;
  readonly service: string;
  readonly version: string;
  readonly metrics: {
    readonly total_sessions: number;
    /** Running and not paused. */
    readonly active_sessions: number;
    readonly total_connections: number;
    readonly sessions: Record<string, SessionEntry>;
  };
}

export interface SessionsDocumentOptions {
  readonly service: string;
  readonly version: string;
  /** Prometheus name → the user's name, as in `toCollectorDocument`. */
  readonly names?: ReadonlyMap<string, string>;
}

const BYTES_PER_MB = 1024 * 1024;

/**
 * The streaming-server seed's document, one entry per scope. A scope's series are the points whose
 * `snapshot.scopeLabel` label holds the scope's id. When a scoped family has more labels than that,
 * so that a scope has several series of it, one number still has to stand for the scope: the
 * series labelled with the scope alone if there is one, else the sum of the counters, the first
 * gauge, and the histogram series with the most observations.
 *
 * A `_seconds` histogram that `names` maps to a key ending in `_ms` is reported in milliseconds (the
 * seed's `network_latency_ms` from `stream_tick_to_send_seconds`).
 *
 * `memory_usage_mb` is the scope's own gauge of that name when it has one, else the registry's
 * estimate (`memoryBytes`). The state fields (`is_running`, `is_paused`, `connections`) come last
 * and win over a metric of the same name.
 */
export function toSessionsDocument(
  snapshot: RegistrySnapshot,
  options: SessionsDocumentOptions,
): SessionsDocument {
  const scoped = new Map<string, Record<string, number | null | SessionDistribution>>();
  for (const scope of snapshot.scopes) scoped.set(scope.id, {});
  for (const metric of snapshot.metrics) {
    const name = options.names?.get(metric.name) ?? metric.name;
    const scale = metric.name.endsWith('_seconds') && name.endsWith('_ms') ? 1000 : 1;
    for (const [id, value] of scopeValues(metric, snapshot.scopeLabel, scale)) {
      const entry = scoped.get(id);
      if (entry !== undefined) entry[name] = value;
    }
  }

  const sessions: Record<string, SessionEntry> = {};
  let active = 0;
  let connections = 0;
  for (const scope of snapshot.scopes) {
    const values = scoped.get(scope.id) ?? {};
    const memory = values.memory_usage_mb;
    sessions[scope.id] = {
      ...values,
      memory_usage_mb: typeof memory === 'number' ? memory : jsonNumber(scope.memoryBytes / BYTES_PER_MB),
      is_running: scope.running,
      is_paused: scope.paused,
      connections: scope.connections,
    };
    if (scope.running && !scope.paused) active++;
    connections += scope.connections;
  }
  return {
    timestamp: snapshot.timestamp / 1000,
    service: options.service,
    version: options.version,
    metrics: {
      total_sessions: snapshot.scopes.length,
      active_sessions: active,
      total_connections: connections,
      sessions,
    },
  };
}

/** The one value per scope id that stands for this metric (see toSessionsDocument). */
function scopeValues(
  metric: MetricSnapshot,
  scopeLabel: string,
  scale: number,
): Map<string, number | null | SessionDistribution> {
  const out = new Map<string, number | null | SessionDistribution>();
  switch (metric.type) {
    case 'counter':
      for (const [id, points] of byScope(metric.points, scopeLabel)) {
        const own = points.find((point) => onlyScope(point.labels, scopeLabel));
        out.set(id, jsonNumber(own?.value ?? points.reduce((sum, point) => sum + point.value, 0)));
      }
      break;
    case 'gauge':
      for (const [id, points] of byScope(metric.points, scopeLabel)) {
        const own = points.find((point) => onlyScope(point.labels, scopeLabel)) ?? points[0];
        if (own !== undefined) out.set(id, jsonNumber(own.value));
      }
      break;
    case 'histogram':
      for (const [id, points] of byScope(metric.points, scopeLabel)) {
        const own =
          points.find((point) => onlyScope(point.labels, scopeLabel)) ??
          points.reduce((best, point) => (point.count > best.count ? point : best));
        out.set(id, {
          mean: jsonNumber(own.mean * scale),
          std: jsonNumber(own.std * scale),
          max: jsonNumber(own.max * scale),
        });
      }
      break;
  }
  return out;
}

function byScope<P extends { readonly labels: Labels }>(
  points: readonly P[],
  scopeLabel: string,
): Map<string, P[]> {
  const groups = new Map<string, P[]>();
  for (const point of points) {
    const id = point.labels[scopeLabel];
    if (id === undefined) continue;
    const group = groups.get(id);
    if (group === undefined) groups.set(id, [point]);
    else group.push(point);
  }
  return groups;
}

function onlyScope(labels: Labels, scopeLabel: string): boolean {
  for (const key in labels) if (key !== scopeLabel && labels[key] !== '') return false;
  return true;
}
