import { invalidOption } from '../base/errors.js';
import { checkMetricName } from '../base/names.js';
import type { Registry } from '../core/registry.js';
import { eventLoopMetrics } from './event-loop-metrics.js';
import { GC_BUCKETS, gcMetrics } from './gc-metrics.js';
import { nodejsMetrics } from './nodejs-metrics.js';
import { processMetrics } from './process-metrics.js';
import type { RuntimeGroup } from './runtime-group.js';
import { systemMetrics } from './system-metrics.js';

export interface RuntimeMetricsOptions {
  /** Prefix of the `<prefix>_system_*` gauges; the process and Node.js metrics keep prom-client's names. Default `vigil`. */
  readonly prefix?: string;
  /** Tick of the event loop delay monitor, ms. Default 10, prom-client's `eventLoopMonitoringPrecision`. */
  readonly eventLoopResolutionMs?: number;
  /** Buckets of `nodejs_gc_duration_seconds`. Default prom-client's `[0.001, 0.01, 0.1, 1, 2, 5]`. */
  readonly gcBuckets?: readonly number[];
  /** Machine CPU, memory, load and disk gauges. Default true. */
  readonly system?: boolean;
  /** File system reported by the disk gauges. Default `/`; false leaves them out. */
  readonly diskPath?: string | false;
}

/** What `collectRuntimeMetrics` registered. */
export interface RuntimeMetrics {
  readonly names: readonly string[];
  /** Stops the event loop monitor and the GC observer and unregisters every metric. */
  stop(): void;
}

const active = new WeakMap<Registry, RuntimeMetrics>();

/**
 * Registers the process, Node.js and machine metrics on `registry`, read when it is collected. The
 * process and Node.js ones carry prom-client's `collectDefaultMetrics` names, help texts, types and
 * labels, so dashboards built for it work unchanged. Calling again for the same registry returns the
 * metrics already registered.
 */
export function collectRuntimeMetrics(
  registry: Registry,
  options: RuntimeMetricsOptions = {},
): RuntimeMetrics {
  const prefix = options.prefix ?? 'vigil';
  checkMetricName(prefix, 'prefix');
  const resolution = options.eventLoopResolutionMs ?? 10;
  if (!Number.isInteger(resolution) || resolution < 1) {
    throw invalidOption('eventLoopResolutionMs', resolution, 'an integer number of milliseconds, at least 1');
  }
  const system = options.system ?? true;
  if (typeof system !== 'boolean') throw invalidOption('system', system, 'true or false');
  const diskPath = options.diskPath ?? '/';
  if (diskPath !== false && (typeof diskPath !== 'string' || diskPath === '')) {
    throw invalidOption('diskPath', options.diskPath, 'a path, or false');
  }
  const existing = active.get(registry);
  if (existing) return existing;
  if (!registry.enabled) return { names: [], stop() {} };
  const groups: RuntimeGroup[] = [
    processMetrics(registry),
    nodejsMetrics(registry),
    eventLoopMetrics(registry, resolution),
    gcMetrics(registry, options.gcBuckets ?? GC_BUCKETS),
    ...(system ? [systemMetrics(registry, prefix, diskPath)] : []),
  ];
  const runtime: RuntimeMetrics = {
    names: groups.flatMap((g) => g.names),
    stop() {
      for (const group of groups) group.stop();
      for (const name of runtime.names) registry.removeMetric(name);
      active.delete(registry);
    },
  };
  active.set(registry, runtime);
  return runtime;
}
