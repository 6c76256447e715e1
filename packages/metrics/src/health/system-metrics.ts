import type { Registry } from '../core/registry.js';
import type { RuntimeGroup } from './runtime-group.js';
import { SystemUsage } from './system-usage.js';

/**
 * The machine's CPU, memory, load and disk as `<prefix>_system_*` gauges, read at collection: CPU
 * is the busy share of all cores since the previous collection (since boot on the first).
 */
export function systemMetrics(registry: Registry, prefix: string, diskPath: string | false): RuntimeGroup {
  const usage = new SystemUsage({ diskPath });
  const names: string[] = [];
  const gauge = (name: string, help: string, unit = '', labelNames: string[] = []) => {
    names.push(`${prefix}_system_${name}`);
    return registry.gauge({ name: `${prefix}_system_${name}`, help, unit, labelNames });
  };
  const memoryTotal = gauge('memory_total_bytes', 'Physical memory of the machine.', 'bytes');
  const memoryAvailable = gauge(
    'memory_available_bytes',
    'Memory that can be allocated without swapping (MemAvailable on Linux).',
    'bytes',
  );
  const memoryRatio = gauge('memory_usage_ratio', 'Share of physical memory not available.');
  const load = [1, 5, 15].map((m) => gauge(`load${m}`, `Load average over ${m} minute${m > 1 ? 's' : ''}.`));
  const disk =
    diskPath === false
      ? undefined
      : {
          total: gauge('disk_total_bytes', 'Size of the file system.', 'bytes', ['path']),
          free: gauge('disk_free_bytes', 'Space available to unprivileged users.', 'bytes', ['path']),
          ratio: gauge('disk_usage_ratio', "Used share of the file system, as df's Use%.", '', ['path']),
        };
  names.unshift(`${prefix}_system_cpu_usage_ratio`);
  registry.gauge({
    name: `${prefix}_system_cpu_usage_ratio`,
    help: 'Busy share of all CPU cores since the previous collection.',
    async collect(cpu) {
      const s = await usage.read();
      cpu.set(s.cpuRatio);
      memoryTotal.set(s.memoryTotalBytes);
      memoryAvailable.set(s.memoryAvailableBytes);
      memoryRatio.set(s.memoryRatio);
      for (const [i, g] of load.entries()) g.set(s.load[i]!);
      if (disk && s.disk) {
        const path = { path: s.disk.path };
        disk.total.set(path, s.disk.totalBytes);
        disk.free.set(path, s.disk.freeBytes);
        disk.ratio.set(path, s.disk.ratio);
      }
    },
  });
  return { names, stop() {} };
}
