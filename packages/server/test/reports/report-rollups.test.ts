import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReport } from '../../src/cli/report-command.js';
import { PromqlEngine } from '../../src/query/promql-engine.js';
import { buildReport } from '../../src/reports/build-report.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// On the hour, two hours ago: recent enough for retention, and every sample of it is rolled up or folded.
const END = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
const START = END - 2 * DAY - HOUR;
const RESET = END - 7 * HOUR - 20 * MIN;
const OUTAGE = [END - 10 * HOUR, END - 10 * HOUR + 72 * MIN];
let dir: string;

/**
 * Two days and an hour of minute samples ending at END. Each minute speech_to_text on openai serves 2
 * requests the day before and 3 in the report's day, and fails 0.1 times in both; the process
 * restarts at RESET (its counters start again from zero); openai is down for 72 minutes of the
 * report's day; gpt-4o costs $0.005 a minute then $0.01; half the requests take at most 100 ms, all of
 * them at most 500 ms.
 */
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-report-rollups-'));
  const store = await openSqliteStore({ dir });
  const base = { operation: 'speech_to_text', provider: 'openai' };
  const series = [
    {
      labels: { __name__: 'latency_operations_total', ...base, status: 'success' },
      per: (c: boolean) => (c ? 3 : 2),
    },
    { labels: { __name__: 'latency_operations_total', ...base, status: 'error' }, per: () => 0.1 },
    {
      labels: { __name__: 'vigil_llm_cost_usd_total', provider: 'openai', model: 'gpt-4o' },
      per: (c: boolean) => (c ? 0.01 : 0.005),
    },
    ...[
      ['0.1', 0.5],
      ['0.5', 1],
      ['+Inf', 1],
    ].map(([le, share]) => ({
      labels: {
        __name__: 'latency_operation_duration_seconds_bucket',
        ...base,
        status: 'success',
        le: String(le),
      },
      per: (c: boolean) => (c ? 3 : 2) * Number(share),
    })),
  ];
  const up: number[] = [];
  const ts: number[] = [];
  const values = series.map(() => [] as number[]);
  const now = series.map(() => 0);
  for (let t = START; t <= END; t += MIN) {
    ts.push(t);
    up.push(t >= OUTAGE[0]! && t < OUTAGE[1]! ? 0 : 1);
    series.forEach((s, i) => {
      if (t === RESET) now[i] = 0;
      now[i]! += s.per(t >= END - DAY);
      values[i]!.push(now[i]!);
    });
  }
  await store.append([
    ...series.map((s, i) => ({ labels: s.labels, timestamps: ts, values: values[i]! })),
    { labels: { __name__: 'vigil_provider_up', provider: 'openai' }, timestamps: ts, values: up },
  ]);
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Json = {
  sections: {
    id: string;
    rows: { figures: Record<string, { current: number; previous: number }>; trend?: number[] }[];
  }[];
};

async function fromRollups(): Promise<Json> {
  let text = '';
  const code = await runReport(
    ['--period', '1d', '--end', new Date(END).toISOString(), '--format', 'json', '--data', dir],
    (t) => (text += t),
    (line) => expect.fail(line),
  );
  expect(code).toBe(0);
  return JSON.parse(text);
}

describe('a report of a day or more, read from the hourly rollups', () => {
  it('has the figures of the raw samples: counts across a restart, availability, percentiles', async () => {
    const r = await fromRollups();
    const row = (id: string) => r.sections.find((s) => s.id === id)!.rows[0]!;
    // Every minute of the day counted once (the minute before it ends back to the minute before it starts).
    // (PromQL stretches an increase over the millisecond between a range's start and its first sample.)
    const figure = (current: number, previous: number) =>
      expect.objectContaining({ current: expect.closeTo(current, 3), previous: expect.closeTo(previous, 3) });
    expect(row('traffic').figures.requests).toEqual(figure(1440 * 3.1, 1440 * 2.1));
    expect(row('traffic').figures.errors).toEqual(figure(144, 144));
    expect(row('requests').figures.requests).toEqual(figure(1440 * 3.1, 1440 * 2.1));
    expect(row('availability').figures.availability).toEqual(figure(1 - 72 / 1440, 1));
    expect(row('llm').figures.cost).toEqual(figure(14.4, 7.2));
    expect(row('latency').figures.p50).toEqual(figure(0.1, 0.1));
    expect(row('latency').figures.p99).toEqual(figure(0.1 + (0.49 / 0.5) * 0.4, 0.1 + (0.49 / 0.5) * 0.4));
    // The day in 24 hourly steps, the restart's hour among them.
    expect(row('traffic').trend).toEqual(Array(24).fill(expect.closeTo(60 * 3.1, 3)));
  });

  it('agrees with the same report from raw samples to within a scrape', async () => {
    const rollups = await fromRollups();
    const store = await openSqliteStore({ dir });
    try {
      const raw = await buildReport(
        { engine: new PromqlEngine({ store }), incidents: [], alertEvents: () => [] },
        END,
        DAY,
      );
      for (const section of raw.sections.filter((s) => s.id !== 'incidents')) {
        const other = rollups.sections.find((s) => s.id === section.id)!;
        section.rows.forEach((row, i) => {
          for (const [key, f] of Object.entries(row.figures)) {
            const g = other.rows[i]!.figures[key]!;
            for (const which of ['current', 'previous'] as const) {
              const [x, y] = [f[which], g[which]];
              // No data (input tokens here) is null in the JSON; a minute of 1,440 at each end of the day.
              if (Number.isNaN(x)) expect(y, `${section.id} ${key}`).toBeNull();
              else
                expect(Math.abs(y! - x), `${section.id} ${key}: ${y} vs ${x}`).toBeLessThanOrEqual(
                  (2 / 1440) * Math.abs(x),
                );
            }
          }
        });
      }
    } finally {
      await store.close();
    }
  });
});
