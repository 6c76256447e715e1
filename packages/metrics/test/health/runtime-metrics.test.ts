import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { collectDefaultMetrics, Registry as PromRegistry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from '../../src/core/registry.js';
import type { HistogramSnapshot, MetricSnapshot } from '../../src/core/snapshot.js';
import { collectRuntimeMetrics, type RuntimeMetrics } from '../../src/health/runtime-metrics.js';

let runtime: RuntimeMetrics | undefined;
afterEach(() => runtime?.stop());

const byName = (metrics: readonly MetricSnapshot[]) => new Map(metrics.map((m) => [m.name, m]));
const value = (m: MetricSnapshot | undefined, labels: Record<string, string> = {}) =>
  (
    m?.points.find((p) => JSON.stringify(p.labels) === JSON.stringify(labels)) as
      | { value?: number }
      | undefined
  )?.value;
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('collectRuntimeMetrics', () => {
  it("has every metric of prom-client's collectDefaultMetrics, with its type, help and label names", async () => {
    const prom = new PromRegistry();
    collectDefaultMetrics({ register: prom });
    const registry = new Registry();
    runtime = collectRuntimeMetrics(registry, { system: false });
    const theirs = await prom.getMetricsAsJSON();
    const ours = byName((await registry.snapshot()).metrics);
    const missing: string[] = [];
    for (const metric of theirs) {
      const mine = ours.get(metric.name);
      if (!mine) {
        missing.push(metric.name);
        continue;
      }
      expect(mine.type, metric.name).toBe(String(metric.type));
      expect(mine.help, metric.name).toBe(metric.help);
      const theirLabels = (prom.getSingleMetric(metric.name) as unknown as { labelNames: string[] })
        .labelNames;
      expect(registry.getMetric(metric.name)?.labelNames, metric.name).toEqual(theirLabels);
    }
    expect(missing).toEqual([]);
    expect(theirs.length).toBeGreaterThanOrEqual(25);
    expect(runtime.names).toEqual(expect.arrayContaining(theirs.map((m) => m.name)));
  });

  it('reads plausible values at collection', async () => {
    const registry = new Registry();
    runtime = collectRuntimeMetrics(registry, { diskPath: '/' });
    const m = byName((await registry.snapshot()).metrics);
    const [major, minor, patch] = process.versions.node.split('.');
    expect(
      value(m.get('nodejs_version_info'), { version: process.version, major, minor, patch } as never),
    ).toBe(1);
    expect(value(m.get('process_resident_memory_bytes'))).toBeGreaterThan(10 * 2 ** 20);
    expect(value(m.get('nodejs_heap_size_used_bytes'))).toBeGreaterThan(2 ** 20);
    expect(value(m.get('process_start_time_seconds'))).toBeCloseTo(performance.timeOrigin / 1000, 3);
    // Since process start, not since the call: the CPU it took to get here is counted.
    const cpu = value(m.get('process_cpu_seconds_total'))!;
    const used = process.cpuUsage();
    expect(cpu).toBeGreaterThan(0);
    expect(cpu).toBeLessThanOrEqual((used.user + used.system) / 1e6);
    expect(value(m.get('process_cpu_seconds_total'))).toBeCloseTo(
      value(m.get('process_cpu_user_seconds_total'))! + value(m.get('process_cpu_system_seconds_total'))!,
      9,
    );
    expect(m.get('nodejs_heap_space_size_used_bytes')!.points.map((p) => p.labels.space)).toContain('old');
    expect(value(m.get('nodejs_active_handles_total'))).toBeGreaterThanOrEqual(0);
    expect(value(m.get('nodejs_eventloop_lag_seconds'))).toBeGreaterThan(0);
    const ratio = value(m.get('vigil_system_memory_usage_ratio'))!;
    expect(ratio).toBeGreaterThan(0);
    expect(ratio).toBeLessThan(1);
    expect(value(m.get('vigil_system_memory_total_bytes'))).toBeGreaterThan(0);
    expect(value(m.get('vigil_system_cpu_usage_ratio'))).toBeGreaterThanOrEqual(0);
    expect(value(m.get('vigil_system_disk_total_bytes'), { path: '/' })).toBeGreaterThan(0);
    expect(value(m.get('vigil_system_disk_usage_ratio'), { path: '/' })).toBeLessThanOrEqual(1);
    if (process.platform === 'linux') {
      expect(value(m.get('process_open_fds'))).toBeGreaterThan(0);
      expect(value(m.get('process_max_fds'))).toBeGreaterThan(0);
      expect(value(m.get('process_virtual_memory_bytes'))).toBeGreaterThan(
        value(m.get('process_resident_memory_bytes'))!,
      );
    }
  });

  it('sees a blocked event loop in the delay statistics, reset at each collection', async () => {
    const registry = new Registry();
    runtime = collectRuntimeMetrics(registry, { system: false, eventLoopResolutionMs: 10 });
    // The monitor needs one tick of its own before it can time the next one: the real timer forces a wait.
    await new Promise((resolve) => setTimeout(resolve, 25));
    const until = performance.now() + 200;
    while (performance.now() < until);
    await tick();
    await tick();
    let m = byName((await registry.snapshot()).metrics);
    expect(value(m.get('nodejs_eventloop_lag_max_seconds'))).toBeGreaterThanOrEqual(0.19);
    expect(value(m.get('nodejs_eventloop_lag_min_seconds'))).toBeGreaterThanOrEqual(0.009);
    await new Promise((resolve) => setTimeout(resolve, 40));
    m = byName((await registry.snapshot()).metrics);
    expect(value(m.get('nodejs_eventloop_lag_max_seconds'))).toBeLessThan(0.19);
  });

  it('records garbage collections by kind', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const registry = new Registry();
    runtime = collectRuntimeMetrics(registry, { system: false, gcBuckets: [0.5, 1] });
    gc();
    gc();
    await tick();
    await tick();
    const h = byName(registry.snapshotSync().metrics).get('nodejs_gc_duration_seconds') as HistogramSnapshot;
    expect(h.bounds).toEqual([0.5, 1]);
    const major = h.points.find((p) => p.labels.kind === 'major');
    expect(major?.count).toBeGreaterThanOrEqual(2);
  });

  it('is registered once per registry, and stop() unregisters it', async () => {
    const registry = new Registry();
    runtime = collectRuntimeMetrics(registry);
    expect(collectRuntimeMetrics(registry)).toBe(runtime);
    runtime.stop();
    expect(registry.snapshotSync().metrics.map((m) => m.name)).toEqual(['vigil_dropped_total']);
    runtime = collectRuntimeMetrics(registry, { prefix: 'app', diskPath: false });
    const names = runtime.names;
    expect(names).toContain('app_system_cpu_usage_ratio');
    expect(names).not.toContain('app_system_disk_usage_ratio');
  });

  it('registers nothing on a disabled registry, and rejects bad options', () => {
    expect(collectRuntimeMetrics(new Registry({ enabled: false })).names).toEqual([]);
    const r = new Registry();
    expect(() => collectRuntimeMetrics(r, { eventLoopResolutionMs: 0.5 })).toThrow(
      /eventLoopResolutionMs: got 0.5/,
    );
    expect(() => collectRuntimeMetrics(r, { diskPath: '' })).toThrow(/diskPath: got ""/);
    expect(() => collectRuntimeMetrics(r, { prefix: 'a b' })).toThrow(/prefix/);
    expect(r.getMetrics()).toEqual([]);
  });
});
