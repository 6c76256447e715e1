import type { RegistrySnapshot } from '../core/snapshot.js';
import { jsonNumber, seriesKey } from './json-fields.js';
import { quantileKey } from './quantile-key.js';

export interface CollectorCounter {
  readonly value: number | null;
}

export interface CollectorGauge {
  readonly current: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly mean: number | null;
}

/** Distribution statistics plus one `pNN` field per tracked quantile (`p50`, `p90`, `p95`, `p99`, `p999`). */
export interface CollectorTiming {
  readonly count: number;
  readonly sum: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly mean: number | null;
  readonly std: number | null;
  readonly [quantile: `p${string}`]: number | null;
}

/** The event-server seed's `get_all_metrics()` document. */
export interface CollectorDocument {
  /** ISO 8601, UTC. */
  readonly timestamp: string;
  readonly uptime_seconds: number;
  readonly metrics: {
    readonly counters: Record<string, CollectorCounter>;
    readonly gauges: Record<string, CollectorGauge>;
    readonly timings: Record<string, CollectorTiming>;
  };
}

/**
 * The event-server seed's JSON document. Keys are the user's names where `names` maps a Prometheus
 * name back to one (`event_processing_duration` → `event.processing.duration`), else the metric
 * name, with `[k=v,...]` for a labelled series. Timings stay in the unit they were recorded in.
 * Non-finite numbers become null, as JSON has no NaN.
 */
export function toCollectorDocument(
  snapshot: RegistrySnapshot,
  names?: ReadonlyMap<string, string>,
): CollectorDocument {
  const counters: Record<string, CollectorCounter> = {};
  const gauges: Record<string, CollectorGauge> = {};
  const timings: Record<string, CollectorTiming> = {};
  for (const metric of snapshot.metrics) {
    const name = names?.get(metric.name) ?? metric.name;
    switch (metric.type) {
      case 'counter':
        for (const point of metric.points) {
          counters[seriesKey(name, point.labels)] = { value: jsonNumber(point.value) };
        }
        break;
      case 'gauge':
        for (const point of metric.points) {
          gauges[seriesKey(name, point.labels)] = {
            current: jsonNumber(point.value),
            min: jsonNumber(point.min),
            max: jsonNumber(point.max),
            mean: jsonNumber(point.mean),
          };
        }
        break;
      case 'histogram': {
        const keys = metric.quantiles.map(quantileKey);
        for (const point of metric.points) {
          const quantiles: Record<`p${string}`, number | null> = {};
          keys.forEach((key, i) => {
            quantiles[key] = jsonNumber(point.quantiles[i] ?? Number.NaN);
          });
          timings[seriesKey(name, point.labels)] = {
            count: point.count,
            sum: jsonNumber(point.sum),
            min: jsonNumber(point.min),
            max: jsonNumber(point.max),
            mean: jsonNumber(point.mean),
            std: jsonNumber(point.std),
            ...quantiles,
          };
        }
        break;
      }
    }
  }
  return {
    timestamp: new Date(snapshot.timestamp).toISOString(),
    uptime_seconds: (snapshot.timestamp - snapshot.startTime) / 1000,
    metrics: { counters, gauges, timings },
  };
}
