import { readdirSync, readFileSync } from 'node:fs';
import type { Registry } from '../core/registry.js';
import type { RuntimeGroup } from './runtime-group.js';

const LINUX = process.platform === 'linux';

/**
 * prom-client's process collectors, by the same names, help and types: CPU time, start time,
 * memory (from /proc/self/status on Linux, where VmRSS, VmSize and VmData are read in one go),
 * open and maximum file descriptors.
 */
export function processMetrics(registry: Registry): RuntimeGroup {
  // From zero rather than from the first read (prom-client's choice), so the counter is the
  // process's CPU time since start, as process_cpu_seconds_total means in every other client.
  let last = { user: 0, system: 0 };
  const cpuUser = registry.counter({
    name: 'process_cpu_user_seconds_total',
    help: 'Total user CPU time spent in seconds.',
    unit: 'seconds',
  });
  const cpuSystem = registry.counter({
    name: 'process_cpu_system_seconds_total',
    help: 'Total system CPU time spent in seconds.',
    unit: 'seconds',
  });
  const cpu = registry.counter({
    name: 'process_cpu_seconds_total',
    help: 'Total user and system CPU time spent in seconds.',
    unit: 'seconds',
  });
  const virtual = LINUX
    ? registry.gauge({
        name: 'process_virtual_memory_bytes',
        help: 'Virtual memory size in bytes.',
        unit: 'bytes',
      })
    : undefined;
  const heap = LINUX
    ? registry.gauge({ name: 'process_heap_bytes', help: 'Process heap size in bytes.', unit: 'bytes' })
    : undefined;
  const start = registry.gauge({
    name: 'process_start_time_seconds',
    help: 'Start time of the process since unix epoch in seconds.',
    unit: 'seconds',
    // One collect reads everything, as prom-client does, so a scrape costs one cpuUsage() call.
    collect(gauge) {
      gauge.set(performance.timeOrigin / 1000);
      const usage = process.cpuUsage();
      const user = (usage.user - last.user) / 1e6;
      const system = (usage.system - last.system) / 1e6;
      last = usage;
      cpuUser.inc(user);
      cpuSystem.inc(system);
      cpu.inc(user + system);
    },
  });
  registry.gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size in bytes.',
    unit: 'bytes',
    collect(gauge) {
      if (!LINUX) {
        gauge.set(process.memoryUsage.rss());
        return;
      }
      const status = readProcStatus();
      if (status.VmRSS !== undefined) gauge.set(status.VmRSS);
      if (status.VmSize !== undefined) virtual?.set(status.VmSize);
      if (status.VmData !== undefined) heap?.set(status.VmData);
    },
  });
  const names = [
    'process_cpu_user_seconds_total',
    'process_cpu_system_seconds_total',
    'process_cpu_seconds_total',
    start.name,
    'process_resident_memory_bytes',
    ...(LINUX ? ['process_virtual_memory_bytes', 'process_heap_bytes'] : []),
  ];
  if (LINUX) {
    registry.gauge({
      name: 'process_open_fds',
      help: 'Number of open file descriptors.',
      collect(gauge) {
        try {
          // The directory handle readdirSync opened is listed too.
          gauge.set(readdirSync('/proc/self/fd').length - 1);
        } catch {}
      },
    });
    names.push('process_open_fds');
  }
  const maxFds = readMaxFds();
  if (maxFds !== undefined) {
    registry.gauge({
      name: 'process_max_fds',
      help: 'Maximum number of open file descriptors.',
      collect: (gauge) => gauge.set(maxFds),
    });
    names.push('process_max_fds');
  }
  return { names, stop() {} };
}

/** VmRSS, VmSize, VmData... in bytes. /proc is kernel memory, not disk: reading it never blocks. */
function readProcStatus(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const line of readFileSync('/proc/self/status', 'utf8').split('\n')) {
      const m = /^(Vm\w+):\s+(\d+) kB$/.exec(line);
      if (m) out[m[1]!] = Number(m[2]) * 1024;
    }
  } catch {}
  return out;
}

function readMaxFds(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    // "unlimited" reads NaN: no gauge, as prom-client.
    const soft = Number(line?.split(/ {2,}/)[1]);
    return Number.isFinite(soft) ? soft : undefined;
  } catch {
    return undefined;
  }
}
