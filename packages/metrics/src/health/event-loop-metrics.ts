import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { Registry } from '../core/registry.js';
import type { RuntimeGroup } from './runtime-group.js';

const STATS: readonly [string, string, (h: IntervalHistogram) => number][] = [
  ['min', 'The minimum recorded event loop delay.', (h) => h.min],
  ['max', 'The maximum recorded event loop delay.', (h) => h.max],
  ['mean', 'The mean of the recorded event loop delays.', (h) => h.mean],
  ['stddev', 'The standard deviation of the recorded event loop delays.', (h) => h.stddev],
  ['p50', 'The 50th percentile of the recorded event loop delays.', (h) => h.percentile(50)],
  ['p90', 'The 90th percentile of the recorded event loop delays.', (h) => h.percentile(90)],
  ['p99', 'The 99th percentile of the recorded event loop delays.', (h) => h.percentile(99)],
];

/**
 * prom-client's event loop gauges, by the same names and with the same meaning.
 *
 * What they measure: `monitorEventLoopDelay` runs a timer every `resolutionMs` and records the time
 * between two of its ticks. An idle loop therefore reads about the resolution (10.1 ms at 10 ms,
 * measured on Node 20), not 0, and a loop blocked 100 ms reads about 100 ms plus part of a
 * resolution (108 ms measured). A block shorter than the resolution is only partly seen. The
 * statistics cover the time since the previous collection (the histogram is reset each time); a
 * collection with no tick since the last one keeps the previous values, where prom-client would
 * expose the empty histogram's sentinel (9.2e9 s). `nodejs_eventloop_lag_seconds` is another
 * measure: how long a `setImmediate` queued at collection waits, awaited so that it lands in this
 * snapshot (prom-client's lands in the next scrape).
 */
export function eventLoopMetrics(registry: Registry, resolutionMs: number): RuntimeGroup {
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  const stats = STATS.map(([stat, help, read]) => ({
    gauge: registry.gauge({ name: `nodejs_eventloop_lag_${stat}_seconds`, help, unit: 'seconds' }),
    read,
  }));
  registry.gauge({
    name: 'nodejs_eventloop_lag_seconds',
    help: 'Lag of event loop in seconds.',
    unit: 'seconds',
    async collect(gauge) {
      if (histogram.count > 0) {
        for (const { gauge: g, read } of stats) g.set(read(histogram) / 1e9);
        histogram.reset();
      }
      const start = performance.now();
      await new Promise((resolve) => setImmediate(resolve));
      gauge.set((performance.now() - start) / 1000);
    },
  });
  return {
    names: ['nodejs_eventloop_lag_seconds', ...stats.map((s) => s.gauge.name)],
    stop: () => histogram.disable(),
  };
}
