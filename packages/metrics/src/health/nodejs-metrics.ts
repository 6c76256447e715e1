import { getHeapSpaceStatistics } from 'node:v8';
import type { Gauge } from '../core/gauge.js';
import type { Registry } from '../core/registry.js';
import type { RuntimeGroup } from './runtime-group.js';

/** Undocumented but present through Node 24; prom-client reads them, so dashboards expect them. */
interface ProcessInternals {
  _getActiveHandles?: () => unknown[];
  _getActiveRequests?: () => unknown[];
}

/**
 * prom-client's Node.js collectors, by the same names, help and label names: heap and external
 * memory, V8 heap spaces, active handles / requests / resources by type, and the version.
 */
export function nodejsMetrics(registry: Registry): RuntimeGroup {
  const heapUsed = registry.gauge({
    name: 'nodejs_heap_size_used_bytes',
    help: 'Process heap size used from Node.js in bytes.',
    unit: 'bytes',
  });
  const external = registry.gauge({
    name: 'nodejs_external_memory_bytes',
    help: 'Node.js external memory size in bytes.',
    unit: 'bytes',
  });
  registry.gauge({
    name: 'nodejs_heap_size_total_bytes',
    help: 'Process heap size from Node.js in bytes.',
    unit: 'bytes',
    collect(gauge) {
      const usage = process.memoryUsage();
      gauge.set(usage.heapTotal);
      heapUsed.set(usage.heapUsed);
      external.set(usage.external);
    },
  });

  const space = (kind: string, collect?: (gauge: Gauge) => void) =>
    registry.gauge({
      name: `nodejs_heap_space_size_${kind}_bytes`,
      help: `Process heap space size ${kind} from Node.js in bytes.`,
      labelNames: ['space'],
      unit: 'bytes',
      ...(collect && { collect }),
    });
  const spaceUsed = space('used');
  const spaceAvailable = space('available');
  space('total', (gauge) => {
    for (const s of getHeapSpaceStatistics()) {
      // `new_space` → `new`, as prom-client names them.
      const name = s.space_name.slice(0, s.space_name.indexOf('_space'));
      gauge.set({ space: name }, s.space_size);
      spaceUsed.set({ space: name }, s.space_used_size);
      spaceAvailable.set({ space: name }, s.space_available_size);
    }
  });

  const internals = process as unknown as ProcessInternals;
  const names = [
    'nodejs_heap_size_total_bytes',
    'nodejs_heap_size_used_bytes',
    'nodejs_external_memory_bytes',
    'nodejs_heap_space_size_total_bytes',
    'nodejs_heap_space_size_used_bytes',
    'nodejs_heap_space_size_available_bytes',
  ];
  const byType = (
    name: string,
    help: string,
    totalHelp: string,
    list: () => readonly unknown[],
    typeOf: (item: unknown) => string | undefined,
  ) => {
    const seen = new Set<string>();
    registry.gauge({
      name,
      help,
      labelNames: ['type'],
      collect: (gauge) => setByType(gauge, seen, list(), typeOf),
    });
    registry.gauge({ name: `${name}_total`, help: totalHelp, collect: (gauge) => gauge.set(list().length) });
    names.push(name, `${name}_total`);
  };
  const className = (item: unknown) =>
    (item as { constructor?: { name?: string } } | null)?.constructor?.name;
  const { _getActiveHandles: handles, _getActiveRequests: requests } = internals;
  if (typeof handles === 'function') {
    byType(
      'nodejs_active_handles',
      'Number of active libuv handles grouped by handle type. Every handle type is C++ class name.',
      'Total number of active handles.',
      () => handles.call(process),
      className,
    );
  }
  if (typeof requests === 'function') {
    byType(
      'nodejs_active_requests',
      'Number of active libuv requests grouped by request type. Every request type is C++ class name.',
      'Total number of active requests.',
      () => requests.call(process),
      className,
    );
  }
  if (typeof process.getActiveResourcesInfo === 'function') {
    byType(
      'nodejs_active_resources',
      'Number of active resources that are currently keeping the event loop alive, grouped by async resource type.',
      'Total number of active resources.',
      () => process.getActiveResourcesInfo(),
      (item) => item as string,
    );
  }

  const [major, minor, patch] = process.versions.node.split('.');
  registry.gauge({
    name: 'nodejs_version_info',
    help: 'Node.js version info.',
    labelNames: ['version', 'major', 'minor', 'patch'],
    // Set at read time, so that registry.reset() does not leave it at 0.
    collect: (gauge) => gauge.labels(process.version, major, minor, patch).set(1),
  });
  names.push('nodejs_version_info');
  return { names, stop() {} };
}

/** Sets one series per type, and drops the series of types no longer present (prom-client resets the gauge). */
function setByType(
  gauge: Gauge,
  seen: Set<string>,
  items: readonly unknown[],
  typeOf: (item: unknown) => string | undefined,
): void {
  const counts = new Map<string, number>();
  for (const item of items) {
    const type = typeOf(item);
    if (type !== undefined) counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  for (const type of seen) {
    if (!counts.has(type)) {
      gauge.remove(type);
      seen.delete(type);
    }
  }
  for (const [type, n] of counts) {
    gauge.set({ type }, n);
    seen.add(type);
  }
}
