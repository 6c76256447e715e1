import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, Registry } from '@vigil/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { backfillDemo } from '../../src/cli/demo-backfill.js';
import { Incidents } from '../../src/demo/incidents.js';
import { anomalyBandRules } from '../../src/figures/anomaly-band.js';
import { IngestWriter } from '../../src/ingest/ingest-writer.js';
import { PromqlEngine } from '../../src/query/promql-engine.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-anomaly-band-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MIN = 60_000;
const STEP = 30_000;

describe('anomaly band recording rules', () => {
  it('are plain PromQL over the recorded series, one rule a figure', () => {
    const rules = anomalyBandRules({
      series: 'job:req:rate5m',
      expr: 'sum by (job) (rate(req[5m]))',
      season: '1d',
    });
    expect(rules.map((r) => r.record)).toEqual([
      'job:req:rate5m',
      'job:req:rate5m:seasonal_median',
      'job:req:rate5m:seasonal_spread',
      'job:req:rate5m:band_upper',
      'job:req:rate5m:band_lower',
      'job:req:rate5m:anomalous',
    ]);
    // The same hour of each of the last 7 days: centred on now - k days.
    expect(rules[1]!.expr).toContain('quantile_over_time(0.5, job:req:rate5m[1h] offset 23h30m)');
    expect(rules[1]!.expr).toContain('quantile_over_time(0.5, job:req:rate5m[1h] offset 6d23h30m)');
    // The spread over twice the window around the same moments, its upper quartile over the days.
    expect(rules[2]!.expr).toMatch(/^quantile without \(season\) \(0\.75,/);
    expect(rules[2]!.expr).toContain('quantile_over_time(0.25, job:req:rate5m[2h] offset 6d23h)');
    expect(anomalyBandRules({ series: 'x', season: '1h', window: '40m' })[1]!.expr).toContain(
      'x[1h] offset 30m)',
    );
    expect(() => anomalyBandRules({ series: 'x', season: '1h', window: '2h' })).toThrow(
      'window: 2h must be shorter than the season (1h)',
    );
    expect(() => anomalyBandRules({ series: 'x', season: '1h', window: '20m', spreadWindow: '90m' })).toThrow(
      'spreadWindow: 90m must not be longer than the season (1h)',
    );
  });

  it('examples/anomaly-bands.yml is their output for a request rate', () => {
    const file = parse(
      readFileSync(new URL('../../../../examples/anomaly-bands.yml', import.meta.url), 'utf8'),
    );
    expect(file.groups[0].rules).toEqual(
      anomalyBandRules({
        series: 'job:http_requests:rate5m',
        expr: 'sum by (job) (rate(http_request_duration_seconds_count[5m]))',
        season: '1d',
      }),
    );
  });

  it('flag every slow speech-to-text episode of the backfilled demo and few of the points between them', async () => {
    // The demo has no daily rhythm, so its band takes the same moment of the previous 4 hours: the
    // same rules with season 1h. 6.5 hours of history: 4 seasons, half a window, the 2 hours under test.
    const end = Date.parse('2026-12-01T12:00:00Z');
    const start = end - 6.5 * 3_600_000;
    const tested = end - 2 * 3_600_000;
    const clock = new ManualClock(end);
    const store = await openSqliteStore({ dir, clock, flushIntervalMs: 60_000, retentionDays: 30 });
    const writer = new IngestWriter(store, new Registry());
    try {
      await backfillDemo({
        writer,
        endMs: end,
        durationMs: end - start,
        intervalMs: 15_000,
        seed: 42,
        targetLabels: { job: 'demo', instance: 'demo:1' },
      });
      const engine = new PromqlEngine({ store, clock });
      const series = 'operation:stt_p95:1m';
      const rules = anomalyBandRules({
        series,
        expr: 'histogram_quantile(0.95, sum by (le) (rate(latency_operation_duration_seconds_bucket{operation="speech_to_text"}[1m])))',
        season: '1h',
        seasons: 4,
        window: '20m',
      });
      // Each rule evaluated as Prometheus would have every 30 s and its results stored under its
      // name, in order (promtool tsdb create-blocks-from rules does the same): the recorded series
      // over the whole history, the band over the 2 hours under test.
      const evaluate = async (expr: string, from: number) => {
        const result = await engine.rangeQuery(expr, from, end, STEP);
        if (result.resultType !== 'matrix') throw new Error(`${expr}: not a matrix`);
        return result.result;
      };
      const record = async (name: string, expr: string, from: number) => {
        const rows = await evaluate(expr, from);
        await writer.write(
          'import_prometheus',
          rows.map((r) => ({
            labels: { ...r.metric, __name__: name },
            timestamps: [...r.timesMs],
            values: r.values,
          })),
        );
        await store.flush();
      };
      const [recorded, ...band] = rules;
      await record(recorded!.record, recorded!.expr, start + MIN);
      for (const rule of band.slice(0, -1)) await record(rule.record, rule.expr, tested);
      const flagged = new Set((await evaluate(band.at(-1)!.expr, tested)).flatMap((r) => [...r.timesMs]));

      // The truth, from the demo's schedule: an evaluation at t sees the last minute's requests.
      const incidents = new Incidents(start);
      const slowWithin = (from: number, to: number) => {
        for (let t = from; t <= to; t += 5000) if (incidents.get(t, 'slow_stt')) return true;
        return false;
      };
      let quiet = 0;
      let quietFlagged = 0;
      const episodes = new Map<number, boolean>();
      for (let t = tested; t <= end; t += STEP) {
        const during = incidents.get(t - 30_000, 'slow_stt');
        if (during && slowWithin(t - MIN, t)) {
          episodes.set(during.startedAt, (episodes.get(during.startedAt) ?? false) || flagged.has(t));
        } else if (!slowWithin(t - 2 * MIN, t + STEP)) {
          quiet++;
          if (flagged.has(t)) quietFlagged++;
        }
      }
      console.log(
        `anomaly band: ${[...episodes.values()].filter(Boolean).length} of ${episodes.size} slow STT episodes flagged; ${quietFlagged} of ${quiet} quiet points`,
      );
      // slow_stt lasts 2 minutes every 13: nine or ten episodes in two hours.
      expect(episodes.size).toBeGreaterThanOrEqual(9);
      expect([...episodes.values()].every(Boolean)).toBe(true);
      expect(quiet).toBeGreaterThan(150);
      // The target: under 1% of quiet points. Measured 0 of 160 with this seed (seeds 7 and 99: 0 of
      // 160 too); with the spread a median of 20-minute ranges it was 2 of 160, one season's calm
      // window making the band too narrow.
      expect(quietFlagged / quiet).toBeLessThan(0.01);
    } finally {
      await store.close();
    }
    // Five and a half hours of demo written, then a band evaluated: minutes on a loaded machine.
  }, 600_000);
});
