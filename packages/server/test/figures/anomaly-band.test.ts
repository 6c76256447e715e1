import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, Registry } from '@vigil/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { backfillDemo } from '../../src/cli/demo-backfill.js';
import { type IncidentKind, Incidents } from '../../src/demo/incidents.js';
import { providerDown } from '../../src/demo/providers.js';
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
    // A floor under the spread, for a series that is flat but for stray blips.
    const floored = anomalyBandRules({ series: 'x', season: '1h', window: '20m', minSpread: 0.05 });
    expect(floored[1]!.expr).toMatch(/^clamp_min\(quantile without \(season\) \(0\.75,[\s\S]*\), 0\.05\)$/);
    expect(() => anomalyBandRules({ series: 'x', season: '1d', minSpread: 0 })).toThrow(
      'minSpread: got 0, expected a number above 0',
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

  it('flag every scheduled incident of the backfilled demo on the series it moves, and under 1% of the points between them', async () => {
    // The demo has no daily rhythm, so its bands take the same moment of the previous 4 hours: the
    // same rules with season 1h. 6.5 hours of history: 4 seasons, half a window, the 2 hours under test.
    const end = Date.parse('2026-12-01T12:00:00Z');
    const start = end - 6.5 * 3_600_000;
    const tested = end - 2 * 3_600_000;
    const clock = new ManualClock(end);
    const store = await openSqliteStore({ dir, clock, flushIntervalMs: 60_000, retentionDays: 30 });
    const writer = new IngestWriter(store, new Registry());
    const measured: {
      kind: IncidentKind;
      episodes: number;
      hit: number;
      quiet: number;
      quietFlagged: number;
    }[] = [];
    try {
      await backfillDemo({
        writer,
        endMs: end,
        durationMs: end - start,
        intervalMs: 15_000,
        // Seeds 7 and 99 are measured by hand: BAND_SEED=7 npx vitest run <this file>.
        seed: Number(process.env.BAND_SEED ?? 42),
        targetLabels: { job: 'demo', instance: 'demo:1' },
      });
      const engine = new PromqlEngine({ store, clock });
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
      const incidents = new Incidents(start);
      // Each kind of incident on the figure a chart of it would show, over the last minute.
      const cases: {
        kind: IncidentKind;
        series: string;
        expr: string;
        /** The label of the series an occurrence moves, where the series are split by it. */
        victim?: { label: string; of: (t: number) => string | undefined };
        minSpread?: number;
      }[] = [
        {
          kind: 'slow_stt',
          series: 'operation:stt_p95:1m',
          expr: 'histogram_quantile(0.95, sum by (le) (rate(latency_operation_duration_seconds_bucket{operation="speech_to_text"}[1m])))',
        },
        {
          kind: 'slow_analysis',
          series: 'analysis_p95:1m',
          expr: 'histogram_quantile(0.95, sum by (le) (rate(memory_analysis_duration_seconds_bucket[1m])))',
        },
        {
          kind: 'packet_loss',
          series: 'events_dropped:rate1m',
          expr: 'sum(rate(events_dropped_packets_total[1m]))',
        },
        {
          kind: 'cache_cold',
          series: 'analysis_cache_hit_ratio:1m',
          expr: 'sum(rate(memory_analysis_cache_hits_total[1m])) / (sum(rate(memory_analysis_cache_hits_total[1m])) + sum(rate(memory_analysis_cache_misses_total[1m])))',
        },
        {
          kind: 'provider_outage',
          series: 'provider:llm_error_ratio:1m',
          expr: 'sum by (gen_ai_provider_name) (rate(gen_ai_client_operation_duration_seconds_count{error_type!=""}[1m])) / sum by (gen_ai_provider_name) (rate(gen_ai_client_operation_duration_seconds_count[1m]))',
          victim: { label: 'gen_ai_provider_name', of: (t) => providerDown(incidents, t) },
          // About 24 calls a minute a provider, 2.2% failing: the ratio is 0 but for a stray error
          // (1 in 24: 0.04), so its spread is 0; flag a rise of 0.15 and more.
          minSpread: 0.05,
        },
        {
          kind: 'stream_stall',
          series: 'stream_missed_ticks:rate1m',
          expr: 'sum(rate(stream_missed_ticks_total[1m]))',
        },
        {
          kind: 'memory_leak',
          series: 'stream_memory:max',
          expr: 'max(stream_session_memory_bytes)',
        },
      ];
      for (const { kind, series, expr, victim, minSpread } of cases) {
        const rules = anomalyBandRules({ series, expr, season: '1h', seasons: 4, window: '20m', minSpread });
        const [recorded, ...band] = rules;
        await record(recorded!.record, recorded!.expr, start + MIN);
        for (const rule of band.slice(0, -1)) await record(rule.record, rule.expr, tested);
        const flagged = new Map<string, Set<number>>();
        for (const r of await evaluate(band.at(-1)!.expr, tested))
          flagged.set(victim ? r.metric[victim.label]! : '', new Set(r.timesMs));
        const names = victim
          ? (await evaluate(recorded!.record, tested)).map((r) => r.metric[victim.label]!)
          : [''];

        // The truth, from the demo's schedule: an evaluation at t sees the last minute. With a
        // victim, an occurrence moves the victim's series only, and the others' points are quiet.
        const hits = (name: string) => (t: number) =>
          incidents.get(t, kind) !== undefined && (victim === undefined || victim.of(t) === name);
        const within = (hit: (t: number) => boolean, from: number, to: number) => {
          for (let t = from; t <= to; t += 5000) if (hit(t)) return true;
          return false;
        };
        let quiet = 0;
        let quietFlagged = 0;
        const episodes = new Map<number, boolean>();
        for (const name of names) {
          const hit = hits(name);
          for (let t = tested; t <= end; t += STEP) {
            const during = hit(t - 30_000) ? incidents.get(t - 30_000, kind) : undefined;
            const isFlagged = flagged.get(name)?.has(t) ?? false;
            if (during && within(hit, t - MIN, t)) {
              episodes.set(during.startedAt, (episodes.get(during.startedAt) ?? false) || isFlagged);
            } else if (!within(hit, t - 2 * MIN, t + STEP)) {
              quiet++;
              if (isFlagged) quietFlagged++;
            }
          }
        }
        const hit = [...episodes.values()].filter(Boolean).length;
        measured.push({ kind, episodes: episodes.size, hit, quiet, quietFlagged });
      }
      console.log(
        `anomaly bands:\n${measured.map((m) => `${m.kind}: ${m.hit} of ${m.episodes} episodes flagged, ${m.quietFlagged} of ${m.quiet} quiet points`).join('\n')}`,
      );
      // Every kind has its episodes flagged.
      for (const m of measured) {
        expect(m.episodes, m.kind).toBeGreaterThanOrEqual(5);
        expect(m.hit, m.kind).toBe(m.episodes);
      }
      // The target: under 1% of the quiet points, over all the series and on each (docs/forecasts.md
      // has the figures per series and seed).
      for (const m of measured) expect(m.quietFlagged / m.quiet, m.kind).toBeLessThan(0.01);
      const quiet = measured.reduce((a, m) => a + m.quiet, 0);
      const quietFlagged = measured.reduce((a, m) => a + m.quietFlagged, 0);
      expect(quiet).toBeGreaterThan(1500);
      expect(quietFlagged / quiet).toBeLessThan(0.01);
    } finally {
      await store.close();
    }
    // Five and a half hours of demo written, then the bands evaluated: minutes on a loaded machine.
  }, 600_000);
});
