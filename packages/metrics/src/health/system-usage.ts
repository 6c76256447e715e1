import { statfs } from 'node:fs/promises';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { invalidOption } from '../base/errors.js';

/** CPU time summed over every core, in ms since boot. */
export interface CpuTimes {
  readonly busy: number;
  readonly total: number;
}

export interface DiskUsage {
  readonly path: string;
  readonly totalBytes: number;
  /** Available to unprivileged users (`f_bavail`), as `df` reports it. */
  readonly freeBytes: number;
  /** `df`'s Use%: used / (used + available), the root-reserved blocks left out. */
  readonly ratio: number;
}

export interface SystemUsageSample {
  /** Busy share of all cores since the previous `read()` (since boot on the first). */
  readonly cpuRatio: number;
  readonly memoryTotalBytes: number;
  /** What the kernel says can be allocated without swapping (MemAvailable on Linux). */
  readonly memoryAvailableBytes: number;
  readonly memoryRatio: number;
  /** 1, 5 and 15 minute load averages (zeros on Windows). */
  readonly load: readonly [number, number, number];
  /** Absent when disk usage is off or the path cannot be read. */
  readonly disk?: DiskUsage;
}

export interface SystemUsageOptions {
  /** The file system to report, by any path on it. Default `/`; false leaves disk usage out. */
  readonly diskPath?: string | false;
}

export function cpuTimes(
  list: readonly { times: Record<'user' | 'nice' | 'sys' | 'idle' | 'irq', number> }[],
) {
  let busy = 0;
  let total = 0;
  for (const { times } of list) {
    const b = times.user + times.nice + times.sys + times.irq;
    busy += b;
    total += b + times.idle;
  }
  return { busy, total };
}

export function cpuBusyRatio(previous: CpuTimes, next: CpuTimes): number {
  const total = next.total - previous.total;
  return total > 0 ? Math.min(1, Math.max(0, (next.busy - previous.busy) / total)) : 0;
}

export function diskUsageOf(
  path: string,
  s: { readonly bsize: number; readonly blocks: number; readonly bfree: number; readonly bavail: number },
): DiskUsage {
  const used = (s.blocks - s.bfree) * s.bsize;
  const available = s.bavail * s.bsize;
  return {
    path,
    totalBytes: s.blocks * s.bsize,
    freeBytes: available,
    ratio: used + available > 0 ? used / (used + available) : 0,
  };
}

/** CPU, memory, load and disk of the machine, each `read()` comparing CPU time with the previous one. */
export class SystemUsage {
  readonly diskPath: string | false;
  #previous: CpuTimes = { busy: 0, total: 0 };

  constructor(options: SystemUsageOptions = {}) {
    this.diskPath = options.diskPath ?? '/';
    if (this.diskPath !== false && (typeof this.diskPath !== 'string' || this.diskPath === '')) {
      throw invalidOption('diskPath', options.diskPath, 'a path, or false');
    }
  }

  async read(): Promise<SystemUsageSample> {
    const times = cpuTimes(cpus());
    const cpuRatio = cpuBusyRatio(this.#previous, times);
    this.#previous = times;
    const memoryTotalBytes = totalmem();
    const memoryAvailableBytes = freemem();
    const [l1 = 0, l5 = 0, l15 = 0] = loadavg();
    const disk = this.diskPath === false ? undefined : await readDisk(this.diskPath);
    return {
      cpuRatio,
      memoryTotalBytes,
      memoryAvailableBytes,
      memoryRatio: memoryTotalBytes > 0 ? 1 - memoryAvailableBytes / memoryTotalBytes : 0,
      load: [l1, l5, l15],
      ...(disk && { disk }),
    };
  }
}

async function readDisk(path: string): Promise<DiskUsage | undefined> {
  try {
    return diskUsageOf(path, await statfs(path));
  } catch {
    return undefined;
  }
}
