import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, Registry } from '@vigil/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { backfillDemo } from '../../src/cli/demo-backfill.js';
import { DEMO_RULES } from '../../src/cli/demo-command.js';
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
    for (let t = start + 60_000; t <= end; t += 30_000) {
      for (const rule of rules) if (await firing(rule, t)) fired.add(rule.alert);
    }
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
    // 14.5 min in, the last incident ended two minutes ago and the next starts at 16.5 min: all quiet.
    const quiet = start + 14.5 * 60_000;
    const loud: string[] = [];
    for (const rule of rules) if (await firing(rule, quiet)) loud.push(rule.alert);
    expect(loud).toEqual([]);
    await store.close();
  }, 120_000);
});
