import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, Registry } from '@vigil/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { backfillDemo } from '../../src/cli/demo-backfill.js';
import { DemoWorkload } from '../../src/demo/demo-workload.js';
import { fillingDiskHistory } from '../../src/demo/filling-disk.js';
import { runOut } from '../../src/figures/run-out.js';
import { IngestWriter } from '../../src/ingest/ingest-writer.js';
import { PromqlEngine } from '../../src/query/promql-engine.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-backfill-'));
/** A 100 GB root file system with 40 GB free (df's Use% 60%). */
const DISK = { path: '/', totalBytes: 100e9, freeBytes: 40e9, ratio: 0.6 };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vigil demo --backfill', () => {
  it('writes N hours of samples at the interval, readable through PromQL', async () => {
    const end = Date.parse('2026-12-01T12:00:00Z');
    const clock = new ManualClock(end);
    const store = await openSqliteStore({ dir, clock, flushIntervalMs: 60_000, retentionDays: 30 });
    const hours: number[] = [];
    const result = await backfillDemo({
      writer: new IngestWriter(store, new Registry()),
      endMs: end,
      durationMs: 2 * 3_600_000,
      intervalMs: 15_000,
      seed: 42,
      targetLabels: { job: 'demo', instance: 'demo:1' },
      disk: DISK,
      onProgress: (p) => hours.push(p.simulatedMs / 3_600_000),
    });
    expect(hours).toEqual([1, 2]);
    expect(result.rejected).toBe(0);
    expect(result.samples).toBeGreaterThan(2 * 240 * 500);
    const engine = new PromqlEngine({ store, clock });
    const scalar = async (expr: string, at = end) => {
      const data = await engine.instantQuery(expr, at);
      if (data.resultType !== 'vector' || data.result.length !== 1)
        throw new Error(`${expr}: ${JSON.stringify(data)}`);
      return data.result[0]!.value;
    };
    // One `up` sample every 15 s for two hours.
    expect(await scalar('count_over_time(up{job="demo",instance="demo:1"}[2h])')).toBe(480);
    // The first outage (openai, 1.5 min in, for a minute) is in the history, as a scrape would have seen it.
    const outageAt = end - 2 * 3_600_000 + 120_000;
    expect(await scalar('vigil_provider_up{provider="openai"}', outageAt)).toBe(0);
    expect(await scalar('vigil_provider_up{provider="openai"}', outageAt + 120_000)).toBe(1);
    // 40 Hz per running session, over the last hour.
    const perSession = await engine.instantQuery('rate(stream_ticks_total[5m])', end);
    if (perSession.resultType !== 'vector') throw new Error('expected a vector');
    expect(perSession.result.length).toBeGreaterThanOrEqual(2);
    for (const r of perSession.result) expect(r.value).toBeLessThanOrEqual(40.5);
    expect(await scalar('sum(increase(vigil_llm_cost_usd_total[1h]))')).toBeGreaterThan(1);
    // Histograms as the live scrape stores them, native beside classic, over the whole history: a
    // percentile from the native series and the average from the classic ones describe the same hours.
    const genai = 'gen_ai_client_operation_duration_seconds';
    const nativeCount = await scalar(`sum(histogram_count(increase(${genai}[2h])))`);
    expect(nativeCount).toBeGreaterThan(1000);
    // Within 0.2%: increase() stops a float counter's extrapolation at zero, not a histogram's (Prometheus's rule).
    const classicCount = await scalar(`sum(increase(${genai}_count[2h]))`);
    expect(Math.abs(nativeCount - classicCount) / classicCount).toBeLessThan(0.002);
    expect(await scalar(`sum(count_over_time(${genai}[2h]))`)).toBe(
      await scalar(`sum(count_over_time(${genai}_count[2h]))`),
    );
    // Sessions that ended were marked stale: none of them lingers at the end.
    const open = await scalar('count(count by (session) (stream_ticks_total))');
    expect(open).toBeLessThanOrEqual(6);
    expect(open).toBeGreaterThan(0);
    // And the sessions still open at the end end with the simulated past: the live workload that takes
    // over has its own, so none of these counts as live a moment later.
    const after = await engine.instantQuery('count by (session) ({session!=""})', end + 1000);
    expect(after).toMatchObject({ resultType: 'vector', result: [] });
    // The disk's series, named and labelled as the live workload's runtime metrics expose them (a
    // scrape adds job and instance), ending at the disk as it is now, where the live readings go on.
    const live = new DemoWorkload({ clock: new ManualClock(end), seed: 42 });
    const exposed = (await live.registry.snapshot()).metrics
      .filter((m) => m.name.startsWith('vigil_system_disk_'))
      .flatMap((m) =>
        m.points.map((p) => ({ __name__: m.name, ...p.labels, job: 'demo', instance: 'demo:1' })),
      );
    live.stop();
    expect(exposed.map((l) => l.__name__).sort()).toEqual([
      'vigil_system_disk_free_bytes',
      'vigil_system_disk_total_bytes',
      'vigil_system_disk_usage_ratio',
    ]);
    const stored = await engine.instantQuery('{__name__=~"vigil_system_disk_.+"}', end);
    if (stored.resultType !== 'vector') throw new Error('expected a vector');
    const byName = (a: { __name__?: string }, b: { __name__?: string }) =>
      a.__name__!.localeCompare(b.__name__!);
    expect(stored.result.map((r) => ({ ...r.metric })).sort(byName)).toEqual(exposed.sort(byName));
    expect(await scalar('vigil_system_disk_free_bytes')).toBe(DISK.freeBytes);
    // Falling through the history: free space was written to.
    expect(await scalar('vigil_system_disk_free_bytes', end - 3_600_000)).toBeGreaterThan(DISK.freeBytes);
    await store.close();
    // 41 s at load 18 on the two shared cores before native histograms joined the backfill, 55 s after.
  }, 120_000);

  it("gives the dashboard's \"Disk full in\" a run-out: the history's disk fills as the demo's days go", async () => {
    // The disk's part of `vigil demo --backfill 3d`, from the function backfillDemo writes it with
    // (three days of the workload's steps would take minutes here).
    const end = Date.parse('2026-12-04T12:00:00Z');
    const clock = new ManualClock(end);
    const store = await openSqliteStore({ dir: join(dir, 'disk'), clock, retentionDays: 30 });
    const writer = new IngestWriter(store, new Registry());
    const targetLabels = { job: 'demo', instance: 'demo:1' };
    const written = await writer.write(
      'import_prometheus',
      fillingDiskHistory(DISK, { endMs: end, durationMs: 3 * 86_400_000, intervalMs: 15_000, targetLabels }),
    );
    expect(written.accepted).toBe(3 * 3 * 5760);
    // The panel's selector, as GET /api/forecasts/run-out reads it.
    const forecast = await runOut(
      new PromqlEngine({ store, clock }),
      'vigil_system_disk_free_bytes',
      28,
      end,
    );
    expect(forecast.notEnoughHistory).toEqual([]);
    expect(forecast.forecasts).toHaveLength(1);
    const [disk] = forecast.forecasts;
    expect(disk!.labels).toMatchObject({ path: '/', job: 'demo', instance: 'demo:1' });
    expect(disk!.remaining).toBe(DISK.freeBytes);
    // 40 GB left at 1.33 GB a day, office hours three times the night's pace: 30 days.
    expect(disk!.seconds / 86_400).toBeGreaterThan(29);
    expect(disk!.seconds / 86_400).toBeLessThan(31);
    expect(disk!.text).toBe('~30 days');
    await store.close();
  });
});
