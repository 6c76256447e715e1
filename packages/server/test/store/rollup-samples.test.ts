import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryVector } from '../../src/alerts/query-vector.js';
import { PromqlEngine } from '../../src/query/promql-engine.js';
import { RollupSamples } from '../../src/store/rollup-samples.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 0, 10, 12);
const START = NOW - 4 * DAY;
/** An hour whose counter resets once, below where it ends: up to 110 at :20, then 0, then 100 a minute. */
const RESET = NOW - 2 * DAY - 5 * HOUR;
/** An hour whose counter resets three times. */
const RESETS = NOW - DAY - 9 * HOUR;
/** When counter `n` begins, at 0, rising 1 a minute: inside a day that a 3-day range reads whole. */
const BEGINS = NOW - 2 * DAY - 7 * HOUR + 7000;
/** A report's end half an hour off the hour, and a burst of the counter just after it. */
const OFF = NOW - 6 * HOUR - 30 * MIN;

/**
 * A counter `c` and a gauge `g`, a sample every minute 7 s after it (none on an hour or a half-hour).
 * `c` rises 1 a minute but for the reset hours and a burst of 1,000 a minute in the half hour after
 * OFF; `g` is 0 in the first half of each hour and 10 in the second.
 */
function data(): { ts: number[]; c: number[]; g: number[] } {
  const ts: number[] = [];
  const c: number[] = [];
  const g: number[] = [];
  let v = 0;
  for (let t = START + 7000; t <= NOW; t += MIN) {
    const minute = Math.floor((t % HOUR) / MIN);
    if (t >= RESET && t < RESET + HOUR) v = minute < 20 ? v + 1 : minute === 20 ? 0 : v + 100;
    else if (t >= RESETS && t < RESETS + HOUR) v = minute % 15 === 0 ? minute : v + 50;
    else if (t > OFF && t < OFF + 30 * MIN) v += 1000;
    else v += 1;
    ts.push(t);
    c.push(v);
    g.push(minute < 30 ? 0 : 10);
  }
  return { ts, c, g };
}

const { ts, c, g } = data();

/** What `c` rose by from its value at `from` to its value at `to` (its last samples at or before them). */
function rise(from: number, to: number): number {
  let total = 0;
  for (let i = 1; i < ts.length; i++) {
    if (ts[i]! <= from || ts[i]! > to) continue;
    total += c[i]! >= c[i - 1]! ? c[i]! - c[i - 1]! : c[i]!;
  }
  return total;
}

/** The mean of `g`'s samples in (from, to]. */
function mean(from: number, to: number): number {
  const vs = g.filter((_, i) => ts[i]! > from && ts[i]! <= to);
  return vs.reduce((a, b) => a + b, 0) / vs.length;
}

let dir: string;
let store: SqliteStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-rollup-samples-'));
  store = await openSqliteStore({ dir, clock: new ManualClock(NOW) });
  const begun = ts.filter((t) => t >= BEGINS);
  await store.append([
    { labels: { __name__: 'c' }, timestamps: ts, values: c },
    { labels: { __name__: 'g' }, timestamps: ts, values: g },
    { labels: { __name__: 'n' }, timestamps: begun, values: begun.map((_, i) => i) },
  ]);
  await store.flush();
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * `got` is `want` but for the millisecond PromQL stretches an increase over, between a range's start
 * and the counter's value placed just after it.
 */
function near(got: number, want: number): void {
  expect(Math.abs(got - want), `${got} vs ${want}`).toBeLessThanOrEqual(1e-6 * Math.abs(want));
}

async function one(engine: PromqlEngine, expr: string, at: number): Promise<number> {
  const [sample] = await queryVector(engine, expr, at);
  return sample!.value;
}

const counters = () => new PromqlEngine({ store: new RollupSamples(store, 'last') });
const gauges = () => new PromqlEngine({ store: new RollupSamples(store, 'mean') });

describe('rollups read as samples', () => {
  it('counts a reset whose peak is below the hour it happens in ends at', async () => {
    expect(rise(RESET, RESET + HOUR)).toBe(1 + 19 + 39 * 100);
    for (const at of [RESET + HOUR, RESET + 3 * HOUR])
      near(await one(counters(), 'increase(c[2h])', at), rise(at - 2 * HOUR, at));
  });

  it('counts several resets in one hour', async () => {
    near(await one(counters(), 'increase(c[1h])', RESETS + HOUR), rise(RESETS, RESETS + HOUR));
  });

  it('reads whole days of a single range from daily rollups, resets included, as the hours would', async () => {
    // 3 days back from NOW (12:00): the hours to the first midnight, 2 days, then 12 hours.
    const days = await one(counters(), 'increase(c[3d])', NOW);
    near(days, rise(NOW - 3 * DAY, NOW));
    // A range query's steps read hours (its ranges end inside days): the same figure at its last step.
    const stepped = await counters().rangeQuery('increase(c[3d])', NOW - 7 * HOUR, NOW, 7 * HOUR);
    if (stepped.resultType !== 'matrix') expect.fail(stepped.resultType);
    near(stepped.result[0]!.values.at(-1)!, days);
  });

  it('reads ranges end to end that meet on the hour in one read, each with its own days, as each alone', async () => {
    // Two ranges of 44 hours meeting at 16:00 (a report's period and the one before): the first has
    // the day after its start, the second the day before its end, the day they meet in is hours.
    const reads: [resolution: number, days: unknown][] = [];
    const watched = {
      select: store.select.bind(store),
      selectHistograms: store.selectHistograms.bind(store),
      scanHistograms: store.scanHistograms.bind(store),
      selectRollup: (...args: Parameters<typeof store.selectRollup>) => {
        reads.push([args[3], args[4]?.days]);
        return store.selectRollup(...args);
      },
    };
    const range = 44 * HOUR;
    const engine = new PromqlEngine({ store: new RollupSamples(watched, 'last') });
    const both = await engine.rangeQuery('increase(c[44h])', NOW - range, NOW, range);
    if (both.resultType !== 'matrix') expect.fail(both.resultType);
    expect([...both.result[0]!.timesMs]).toEqual([NOW - range, NOW]);
    const midnight = Math.floor(NOW / DAY) * DAY;
    expect(reads).toEqual([
      [
        DAY,
        [
          [midnight - 3 * DAY, midnight - 2 * DAY],
          [midnight - DAY, midnight],
        ],
      ],
    ]);
    // The resets of RESET (the day they meet in) and RESETS (a day of the second) counted in theirs.
    expect([...both.result[0]!.values]).toEqual([
      await one(counters(), 'increase(c[44h])', NOW - range),
      await one(counters(), 'increase(c[44h])', NOW),
    ]);
    near(both.result[0]!.values[0]!, rise(NOW - 2 * range, NOW - range));
    near(both.result[0]!.values[1]!, rise(NOW - range, NOW));
    // Ranges that meet inside an hour read hours.
    reads.length = 0;
    await engine.rangeQuery('increase(c[44h])', OFF - range, OFF, range);
    expect(reads).toEqual([[HOUR, undefined]]);
  });

  it("counts the first day of a counter that began inside a range, read as one day's bucket", async () => {
    // The day it began in is one bucket: its first value (0) at the day's start, its last at the end.
    const minutes = Math.floor((NOW - BEGINS) / MIN);
    near(await one(counters(), 'increase(n[3d])', NOW), minutes);
    // So is the hour it began in, in a range read in hours.
    const at = NOW - 2 * DAY + 8 * HOUR;
    near(await one(counters(), 'increase(n[20h])', at), Math.floor((at - BEGINS) / MIN));
  });

  it('reads a part-hour at either end of a range from the raw samples', async () => {
    // Ends half an hour off the hour: the burst after it is not counted; starts so too.
    near(await one(counters(), 'increase(c[1d])', OFF), rise(OFF - DAY, OFF));
    near(
      await one(counters(), 'increase(c[1d])', OFF + 30 * MIN),
      rise(OFF + 30 * MIN - DAY, OFF + 30 * MIN),
    );
    // A gauge's last half-hour is its own mean (0), not its whole hour's (5); so is a range inside an hour.
    const hours = await one(gauges(), 'avg_over_time(g[90m])', OFF);
    expect(hours).toBeCloseTo((mean(OFF - 90 * MIN, OFF - 30 * MIN) + mean(OFF - 30 * MIN, OFF)) / 2, 6);
    expect(hours).toBeCloseTo(2.5, 6);
    expect(await one(gauges(), 'avg_over_time(g[30m])', OFF)).toBe(0);
  });
});
