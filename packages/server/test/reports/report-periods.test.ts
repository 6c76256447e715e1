import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportRollups } from '../../src/cli/report-rollups.js';
import { PromqlEngine } from '../../src/query/promql-engine.js';
import type { QueryEngine } from '../../src/query/query-engine.js';
import { buildReport, type ReportSources } from '../../src/reports/build-report.js';
import type { Report } from '../../src/reports/report.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
// On the hour, two hours ago (recent enough for retention), and not at midnight, so that the
// periods of two days meet inside a day.
const NOW_HOUR = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
const END = NOW_HOUR % DAY === 0 ? NOW_HOUR - HOUR : NOW_HOUR;
const LONG = 2 * DAY;
const SHORT = HOUR;
const START = END - 2 * LONG - HOUR;
/**
 * Where a sample changes, for each provider or operation: a minute before, on, and two minutes after
 * where the periods meet (a rise from the period's last sample to the next one's first is in
 * neither, as PromQL's increase over ranges end to end has it).
 */
const MOMENTS = { before: -MIN, at: 0, after: 2 * MIN } as const;
let dir: string;
let store: SqliteStore;

/**
 * A sample on every minute from START to END. For each moment and each of the two splits (END −
 * LONG, END − SHORT): provider `<moment>-<split>` is up but for the one sample at the moment, and
 * operation `<moment>-<split>` counts 60 requests at that one sample, none before or after.
 */
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-report-periods-'));
  store = await openSqliteStore({ dir });
  const ts: number[] = [];
  for (let t = START; t <= END; t += MIN) ts.push(t);
  const batch = [];
  for (const [period, split] of [
    ['long', END - LONG],
    ['short', END - SHORT],
  ] as const)
    for (const [moment, offset] of Object.entries(MOMENTS)) {
      const at = split + offset;
      const name = `${moment}-${period}`;
      batch.push(
        {
          labels: { __name__: 'vigil_provider_up', provider: name },
          timestamps: ts,
          values: ts.map((t) => (t === at ? 0 : 1)),
        },
        {
          labels: { __name__: 'latency_operations_total', operation: name, provider: 'p', status: 'success' },
          timestamps: ts,
          values: ts.map((t) => (t < at ? 0 : 60)),
        },
      );
    }
  await store.append(batch);
  await store.flush();
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The engine's instant queries and range queries of two steps (the trend charts have 24), counted. */
function counted(engine: QueryEngine, calls: { instant: number; twoSteps: number }): QueryEngine {
  return {
    instantQuery: (...args) => {
      calls.instant++;
      return engine.instantQuery(...args);
    },
    rangeQuery: (expr, start, end, step, options) => {
      if (end - start === step) calls.twoSteps++;
      return engine.rangeQuery(expr, start, end, step, options);
    },
  };
}

async function report(
  periodMs: number,
  twoPasses = false,
): Promise<{ report: Report; calls: { instant: number; twoSteps: number } }> {
  const calls = { instant: 0, twoSteps: 0 };
  const rollups = reportRollups(store);
  const sources: ReportSources = {
    engine: counted(new PromqlEngine({ store }), calls),
    rollups: {
      counters: counted(rollups.counters, calls),
      gauges: counted(rollups.gauges, calls),
      meetExactly: twoPasses ? () => false : rollups.meetExactly,
    },
    incidents: [],
    alertEvents: () => [],
  };
  return { report: await buildReport(sources, END, periodMs), calls };
}

function figure(r: Report, section: string, key: string, label: string, name: string) {
  const row = r.sections.find((s) => s.id === section)!.rows.find((x) => x.labels[label] === name)!;
  return row.figures[key]!;
}

describe('the period and the one before', () => {
  it('puts a sample before the periods meet in the previous one, after it in the current one', async () => {
    for (const [periodMs, suffix] of [
      [LONG, 'long'],
      [SHORT, 'short'],
    ] as const) {
      const { report: r, calls } = await report(periodMs);
      // From rollups, every figure is a range query of both periods (the trend charts are range
      // queries too); raw samples are read a period at a time.
      if (periodMs === LONG) expect([calls.instant, calls.twoSteps > 0]).toEqual([0, true]);
      else expect([calls.instant > 0, calls.twoSteps]).toEqual([true, 0]);
      const requests = (moment: string) =>
        figure(r, 'traffic', 'requests', 'operation', `${moment}-${suffix}`);
      const up = (moment: string) =>
        figure(r, 'availability', 'availability', 'provider', `${moment}-${suffix}`);
      expect(requests('before').previous, suffix).toBeCloseTo(60, 0);
      expect(requests('before').current, suffix).toBe(0);
      expect(requests('after').previous, suffix).toBe(0);
      expect(requests('after').current, suffix).toBeCloseTo(60, 0);
      expect(up('before').previous, suffix).toBeLessThan(1);
      expect(up('before').current, suffix).toBe(1);
      expect(up('after').previous, suffix).toBe(1);
      expect(up('after').current, suffix).toBeLessThan(1);
    }
  });

  it('puts a sample on the instant the periods meet in the previous period when reading raw samples', async () => {
    // PromQL's ranges are open on the left: (end − period, end]. (From rollups, whose hours start
    // there, it counts in the current period, as it did when each period was read alone.)
    const { report: r } = await report(SHORT);
    expect(figure(r, 'traffic', 'requests', 'operation', 'at-short').previous).toBeCloseTo(60, 0);
    expect(figure(r, 'traffic', 'requests', 'operation', 'at-short').current).toBe(0);
    expect(figure(r, 'availability', 'availability', 'provider', 'at-short').previous).toBeCloseTo(
      59 / 60,
      9,
    );
    expect(figure(r, 'availability', 'availability', 'provider', 'at-short').current).toBe(1);
  });

  it('has every figure of the report that reads each period of rollups alone', async () => {
    const one = await report(LONG);
    const two = await report(LONG, true);
    expect(two.calls.instant).toBeGreaterThan(0);
    expect(one.report).toEqual(two.report);
    // Here, on the instant the periods meet, rollups count the sample in the current period.
    expect(figure(one.report, 'traffic', 'requests', 'operation', 'at-long').current).toBeCloseTo(60, 0);
  });
});
