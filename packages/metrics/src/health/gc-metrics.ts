import { constants, PerformanceObserver } from 'node:perf_hooks';
import type { HistogramHandle } from '../core/histogram.js';
import type { Registry } from '../core/registry.js';
import type { RuntimeGroup } from './runtime-group.js';

const KINDS: Readonly<Record<number, string>> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/** prom-client's default GC buckets, in seconds. */
export const GC_BUCKETS: readonly number[] = [0.001, 0.01, 0.1, 1, 2, 5];

/**
 * `nodejs_gc_duration_seconds{kind}` as prom-client names it, from a PerformanceObserver on 'gc'.
 * Every entry of a batch is recorded; prom-client records only the first of each batch.
 */
export function gcMetrics(registry: Registry, buckets: readonly number[]): RuntimeGroup {
  const histogram = registry.histogram({
    name: 'nodejs_gc_duration_seconds',
    help: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
    labelNames: ['kind'],
    unit: 'seconds',
    buckets,
  });
  const handles = new Map<number, HistogramHandle>();
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind ?? 0;
      let handle = handles.get(kind);
      if (!handle) handles.set(kind, (handle = histogram.labels(KINDS[kind] ?? String(kind))));
      handle.observe(entry.duration / 1000);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return { names: [histogram.name], stop: () => observer.disconnect() };
}
