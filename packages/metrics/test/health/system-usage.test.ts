import { describe, expect, it } from 'vitest';
import { cpuBusyRatio, cpuTimes, diskUsageOf, SystemUsage } from '../../src/health/system-usage.js';
import { UptimeBuckets } from '../../src/health/uptime-buckets.js';

const core = (user: number, sys: number, idle: number) => ({ times: { user, nice: 0, sys, idle, irq: 0 } });

describe('system usage', () => {
  it('takes CPU busy share from the difference of two readings over all cores', () => {
    const before = cpuTimes([core(100, 50, 850), core(0, 0, 1000)]);
    const after = cpuTimes([core(400, 50, 1550), core(100, 100, 1800)]);
    // Busy went up 300 + 200 of a total 1000 + 1000.
    expect(cpuBusyRatio(before, after)).toBe(0.25);
    expect(cpuBusyRatio(after, after)).toBe(0);
  });

  it("computes disk use as df's Use%, root-reserved blocks left out", () => {
    // 1000 blocks, 300 free of which 250 available to users: used 700 / (700 + 250).
    expect(diskUsageOf('/data', { bsize: 4096, blocks: 1000, bfree: 300, bavail: 250 })).toEqual({
      path: '/data',
      totalBytes: 4_096_000,
      freeBytes: 1_024_000,
      ratio: 700 / 950,
    });
  });

  it('reads the machine, and leaves the disk out when asked or when the path is missing', async () => {
    const sample = await new SystemUsage().read();
    expect(sample.cpuRatio).toBeGreaterThanOrEqual(0);
    expect(sample.cpuRatio).toBeLessThanOrEqual(1);
    expect(sample.memoryAvailableBytes).toBeLessThanOrEqual(sample.memoryTotalBytes);
    expect(sample.disk?.path).toBe('/');
    expect((await new SystemUsage({ diskPath: false }).read()).disk).toBeUndefined();
    expect((await new SystemUsage({ diskPath: '/no/such/dir' }).read()).disk).toBeUndefined();
    expect(() => new SystemUsage({ diskPath: '' })).toThrow(/diskPath: got ""/);
  });
});

describe('UptimeBuckets', () => {
  it('forgets a slot when its time comes round again, so windows never hold stale counts', () => {
    const b = new UptimeBuckets();
    const day = 86_400_000;
    b.record(0, false, 0);
    b.record(30_000, true, 100);
    expect(b.day(59_999)).toEqual({ up: 1, down: 1, upMs: 100 });
    // Exactly one day later the same minute slot is reused: the old counts must not leak in.
    b.record(day, true, 50);
    expect(b.day(day)).toEqual({ up: 1, down: 0, upMs: 50 });
    expect(b.month(day)).toEqual({ up: 2, down: 1, upMs: 150 });
    expect(b.month(30 * day)).toEqual({ up: 1, down: 0, upMs: 50 });
  });
});
