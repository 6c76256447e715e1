import type { RegistrySnapshot } from '../core/snapshot.js';
import { jsonNumber, seriesKey } from './json-fields.js';

export interface SummaryTiming {
  readonly count: number;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}

/** The short view behind `/api/metrics/summary`: what a status line or a phone screen shows. */
export interface SummaryDocument {
  readonly uptime_seconds: number;
  /** One total per counter, summed across its series: "how many events", whatever the labels. */
  readonly counters: Record<string, number | null>;
  /** The current value of each gauge series, keyed like the collector document (`name[k=v]`). */
  readonly gauges: Record<string, number | null>;
  /** Count and the three percentiles people ask for, per histogram series; null when not tracked. */
  readonly timings: Record<string, SummaryTiming>;
}

/**
 * A small summary of a snapshot. Counters are summed across series because a total is what a
 * summary is read for; gauges and timings are not summable, so they stay per series. Names are
 * mapped back to the user's names with `names`, as in `toCollectorDocument`.
 */
export function toSummary(snapshot: RegistrySnapshot, names?: ReadonlyMap<string, string>): SummaryDocument {
  const counters: Record<string, number | null> = {};
  const gauges: Record<string, number | null> = {};
  const timings: Record<string, SummaryTiming> = {};
  for (const metric of snapshot.metrics) {
    const name = names?.get(metric.name) ?? metric.name;
    switch (metric.type) {
      case 'counter': {
        let total = 0;
        for (const point of metric.points) total += point.value;
        counters[name] = jsonNumber(total);
        break;
      }
      case 'gauge':
        for (const point of metric.points) gauges[seriesKey(name, point.labels)] = jsonNumber(point.value);
        break;
      case 'histogram': {
        const p50 = metric.quantiles.indexOf(0.5);
        const p95 = metric.quantiles.indexOf(0.95);
        const p99 = metric.quantiles.indexOf(0.99);
        for (const point of metric.points) {
          timings[seriesKey(name, point.labels)] = {
            count: point.count,
            p50: quantile(point.quantiles, p50),
            p95: quantile(point.quantiles, p95),
            p99: quantile(point.quantiles, p99),
          };
        }
        break;
      }
    }
  }
  return { uptime_seconds: (snapshot.timestamp - snapshot.startTime) / 1000, counters, gauges, timings };
}

function quantile(values: readonly number[], index: number): number | null {
  const value = values[index];
  return value === undefined ? null : jsonNumber(value);
}
