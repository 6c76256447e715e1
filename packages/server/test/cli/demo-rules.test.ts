import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, Registry } from '@vigil/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { backfillDemo } from '../../src/cli/demo-backfill.js';
import { DEMO_RULES } from '../../src/cli/demo-command.js';
import { Incidents } from '../../src/demo/incidents.js';
import { IngestWriter } from '../../src/ingest/ingest-writer.js';
import { PromqlEngine } from '../../src/query/promql-engine.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-demo-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Rule {
  readonly alert: string;
  readonly expr: string;
  readonly labels: { readonly severity: string };
}

describe("the demo's alert rules", () => {
  it('fire during the incidents of the workload, and none outside them', async () => {
    const rules: Rule[] = (
      parse(readFileSync(DEMO_RULES, 'utf8')) as { groups: { rules: Rule[] }[] }
    ).groups.flatMap((g) => g.rules);
    const start = Date.parse('2026-12-01T00:00:00Z');
    const end = start + 25 * 60_000;
    const clock = new ManualClock(end);
    const store = await openSqliteStore({ dir, clock, flushIntervalMs: 60_000, retentionDays: 30 });
    await backfillDemo({
      writer: new IngestWriter(store, new Registry()),
      endMs: end,
      durationMs: end - start,
      intervalMs: 5_000,
      seed: 42,
      targetLabels: { job: 'demo', instance: 'demo:1' },
    });
    const engine = new PromqlEngine({ store, clock });
    const firing = async (rule: Rule, at: number) => {
      const data = await engine.instantQuery(rule.expr, at);
      return data.resultType === 'vector' && data.result.length > 0;
    };
    const fired = new Set<string>();
    const lowCacheHitRate: number[] = [];
    for (let t = start + 60_000; t <= end; t += 30_000) {
      for (const rule of rules) {
        if (!(await firing(rule, t))) continue;
        fired.add(rule.alert);
        if (rule.alert === 'LowCacheHitRate') lowCacheHitRate.push(t);
      }
    }
    // The cache's alert holds for longer than its `for` (1m) while the cache is cold, and only then
    // (or within its 2-minute window after): an emptied cache warms back up.
    const incidents = new Incidents(start);
    const cold = (t: number) => {
      for (let s = t - 120_000; s <= t; s += 5000) if (incidents.get(s, 'cache_cold')) return true;
      return false;
    };
    expect(lowCacheHitRate.filter((t) => !cold(t))).toEqual([]);
    let longest = 0;
    for (let i = 0, from = 0; i < lowCacheHitRate.length; i++) {
      if (i > 0 && lowCacheHitRate[i]! - lowCacheHitRate[i - 1]! > 30_000) from = i;
      longest = Math.max(longest, lowCacheHitRate[i]! - lowCacheHitRate[from]!);
    }
    expect(longest).toBeGreaterThanOrEqual(60_000);
    expect([...fired].sort()).toEqual(
      [
        'LowCacheHitRate',
        'ProviderDown',
        'ProviderErrorRateSpike',
        'SessionMemoryHigh',
        'SlowAnalysis',
        'SpeechToTextLatency',
        'StreamLatencyHigh',
        'StreamPacketLoss',
        'StreamTimingErrorHigh',
        'UdpPacketLoss',
      ].sort(),
    );
    // 14.5 min in, the last incident ended two minutes ago and the next starts at 15 min: all quiet.
    const quiet = start + 14.5 * 60_000;
    const loud: string[] = [];
    for (const rule of rules) if (await firing(rule, quiet)) loud.push(rule.alert);
    expect(loud).toEqual([]);
    await store.close();
  }, 120_000);
});
