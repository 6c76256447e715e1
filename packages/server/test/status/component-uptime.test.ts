import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComponentSource } from '../../src/config/status-pages-config.js';
import { PromqlEngine } from '../../src/query/promql-engine.js';
import { componentUptime, uptimeOf } from '../../src/status/component-uptime.js';
import { monitoredChecks } from '../../src/status/monitored-checks.js';
import { statusPageView } from '../../src/status/status-page-view.js';
import type { LabelMatcher, RollupResolution, SeriesStore } from '../../src/store/series-store.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Mid-afternoon UTC, on the minute: today is part-way through, as on a live page. */
const NOW = Date.UTC(2026, 10, 20, 13, 37);
const TODAY = NOW - (NOW % DAY);
/** The first of the page's 90 bars. */
const FIRST_DAY = TODAY - 89 * DAY;
const START = FIRST_DAY - 2 * DAY;

/**
 * Outages of target a, placed where an off-by-one would show: across midnights, a day's first and
 * last minutes, the hour before the first bar and the first bar's first hours, today's first minutes;
 * plus one every few days at a moving minute.
 */
const OUTAGES: [number, number][] = [
  [FIRST_DAY - 45 * MIN, FIRST_DAY + 150 * MIN],
  [TODAY - 40 * DAY - MIN, TODAY - 40 * DAY],
  [TODAY - 39 * DAY, TODAY - 39 * DAY + MIN],
  [TODAY - 20 * DAY - 3 * HOUR, TODAY - 20 * DAY + 2 * HOUR],
  // Yesterday morning: before the last 24 hours, after yesterday's midnight.
  [TODAY - DAY + 2 * HOUR, TODAY - DAY + 3 * HOUR],
  [TODAY - DAY + 23 * HOUR + 50 * MIN, TODAY + 10 * MIN],
  ...Array.from({ length: 30 }, (_, k): [number, number] => {
    const at = START + k * 3 * DAY + ((k * 397) % 1440) * MIN;
    return [at, at + (1 + (k % 5) * 17) * MIN];
  }),
];
const down = (t: number) => OUTAGES.some(([a, b]) => t >= a && t < b);

const A = { kind: 'target', job: 'api', instance: 'a' } as const;
/** Stopped yesterday at 15:00: its last day is never sealed. */
const B = { kind: 'target', job: 'api', instance: 'b' } as const;
const STOPPED = TODAY - DAY + 15 * HOUR;
/** Down since 08:30 today, its last up at 08:29: in an hour read from the rollups. */
const C = { kind: 'target', job: 'api', instance: 'c' } as const;
const C_DOWN = TODAY + 8 * HOUR + 30 * MIN;
/** A push monitor every 5 minutes, down one heartbeat in 9. */
const PUSH = { kind: 'push', token: 'nightly-7f3a' } as const;

let dir: string;
let store: SqliteStore;
/** The resolutions asked of the store, and the rows it returned, since the last reset. */
const asked: { resolution: RollupResolution; rows: number }[] = [];
/** The matchers of every read of raw samples or rollups, since the last reset. */
const reads: (readonly LabelMatcher[])[] = [];

function samples(from: number, to: number, step: number, value: (t: number) => number) {
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let t = from; t <= to; t += step) {
    timestamps.push(t);
    values.push(value(t));
  }
  return { timestamps, values };
}

/**
 * 92 days of minute samples, backfilled in two runs of the store as a server would have written
 * them: up to three days ago, closed (its daily rollups sealed), then the rest, today's last hour
 * only appended and not flushed yet. Raw samples are kept (100 days) so that each figure can be
 * checked against them.
 */
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-component-uptime-'));
  const clock = new ManualClock(NOW);
  const series = (from: number, to: number) => [
    {
      labels: { __name__: 'up', job: 'api', instance: 'a' },
      ...samples(from, to, MIN, (t) => (down(t) ? 0 : 1)),
    },
    {
      labels: { __name__: 'up', job: 'api', instance: 'b' },
      ...samples(from, Math.min(to, STOPPED), MIN, (t) => (Math.floor(t / HOUR) % 50 === 0 ? 0 : 1)),
    },
    {
      labels: { __name__: 'up', job: 'api', instance: 'c' },
      ...samples(Math.max(from, TODAY - 2 * DAY), to, MIN, (t) => (t >= C_DOWN ? 0 : 1)),
    },
    {
      labels: { __name__: 'scrape_duration_seconds', job: 'api', instance: 'a' },
      ...samples(Math.max(from, NOW - 2 * HOUR), to, MIN, (t) => (t % (7 * MIN)) / 1000 / MIN),
    },
    {
      labels: { __name__: 'vigil_push_up', monitor: PUSH.token },
      ...samples(from - (from % (5 * MIN)), to, 5 * MIN, (t) =>
        Math.floor(t / (5 * MIN)) % 9 === 0 ? 0 : 1,
      ),
    },
  ];
  const first = await openSqliteStore({ dir, clock, retentionDays: 100 });
  await first.append(series(START, TODAY - 3 * DAY - MIN));
  await first.close();
  store = await openSqliteStore({ dir, clock, retentionDays: 100 });
  await store.append(series(TODAY - 3 * DAY, NOW - HOUR - MIN));
  await store.flush();
  store.appendSync(series(NOW - HOUR, NOW));
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The store, recording the resolution of each rollup read and how many buckets it returned. */
function recording(inner: SeriesStore): SeriesStore {
  return new Proxy(inner, {
    get(target, key) {
      if (key === 'select')
        return (m: readonly LabelMatcher[], s: number, e: number) => {
          reads.push(m);
          return target.select(m, s, e);
        };
      if (key === 'selectRollup')
        return async (m: readonly LabelMatcher[], s: number, e: number, r: RollupResolution) => {
          reads.push(m);
          const result = await target.selectRollup(m, s, e, r);
          asked.push({ resolution: r, rows: result.reduce((n, x) => n + x.timestamps.length, 0) });
          return result;
        };
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

type Source = typeof A | typeof B | typeof C | typeof PUSH;

const matchers = (source: Source): LabelMatcher[] =>
  source.kind === 'push'
    ? [
        { name: '__name__', type: '=', value: 'vigil_push_up' },
        { name: 'monitor', type: '=', value: source.token },
      ]
    : [
        { name: '__name__', type: '=', value: 'up' },
        { name: 'job', type: '=', value: source.job },
        { name: 'instance', type: '=', value: source.instance },
      ];

/** Runs and ups of the raw samples in [from, to], in buckets of `bucket` from `from`. */
async function fromRaw(source: Source, from: number, to: number, bucket: number) {
  const n = Math.ceil((to - from) / bucket);
  const out = Array.from({ length: n }, (_, i) => ({ startMs: from + i * bucket, runs: 0, up: 0 }));
  for (const s of await store.select(matchers(source), from, to))
    for (let i = 0; i < s.timestamps.length; i++) {
      const b = out[Math.floor((s.timestamps[i]! - from) / bucket)]!;
      b.runs++;
      b.up += s.values[i]!;
    }
  return out;
}

const sources = () => ({ store: recording(store), engine: new PromqlEngine({ store }) });

describe('component uptime over 90 days', () => {
  it.each([
    ['a target with outages at day edges', A],
    ['a target that stopped yesterday (its last day not sealed)', B],
    ['a push monitor every 5 minutes', PUSH],
  ])(
    'reads whole UTC days from the daily rollups, with the same counts as the raw samples: %s',
    async (_, source) => {
      asked.length = 0;
      const bars = await componentUptime(sources(), source as ComponentSource, FIRST_DAY, NOW, DAY);
      expect(bars).toHaveLength(90);
      expect(bars).toEqual(await fromRaw(source, FIRST_DAY, NOW, DAY));
      // By day: about 90 days and today's hours, where hourly rollups would be 2,150 rows.
      // A push monitor's heartbeats are read raw from the day before: no hours before its raw samples.
      expect(asked.map((a) => a.resolution)).toEqual([DAY]);
      expect(asked[0]!.rows).toBeLessThan(90 + 24 + 2);
    },
  );

  it('counts badge windows that do not start on a day as the raw samples from the hour they start in', async () => {
    for (const hours of [720, 100, 36]) {
      const start = NOW - hours * HOUR;
      const from = hours > 48 ? start - (start % HOUR) : start;
      const buckets = await componentUptime(sources(), A, start, NOW, hours * HOUR);
      const raw = await fromRaw(A, from, NOW, NOW - from + 1);
      expect([hours, uptimeOf(buckets)]).toEqual([hours, raw[0]!.up / raw[0]!.runs]);
    }
  });

  it('evaluates a query component over the window asked, not from the start of its first bucket', async () => {
    // Minute steps over minute samples: each step sees the sample at that minute.
    const query = { kind: 'query', expr: 'up{job="api",instance="a"}' } as const;
    const buckets = await componentUptime(sources(), query, NOW - DAY, NOW, DAY);
    const raw = (await fromRaw(A, NOW - DAY, NOW, DAY + 1))[0]!;
    expect(raw.up).toBeLessThan(raw.runs);
    expect(uptimeOf(buckets)).toBe(raw.up / raw.runs);
  });

  it('gives /api/health’s 30-day uptime of a check as the raw samples from the hour 30 days ago', async () => {
    const checks = await monitoredChecks(recording(store), NOW, [matchers(A)]);
    const start = NOW - 30 * DAY;
    const raw = (await fromRaw(A, start - (start % HOUR), NOW, NOW))[0]!;
    expect(checks.find((c) => c.name === 'api/a')?.uptime30d).toBe(raw.up / raw.runs);
    expect(asked.at(-1)!.resolution).toBe(86_400_000);
  });

  it('gives /api/health’s 24-hour figures of each check as its raw samples give them', async () => {
    const checks = await monitoredChecks(store, NOW);
    expect(checks.map((c) => c.name)).toEqual(['api/a', 'api/c', expect.stringMatching(/^push:nigh…/)]);
    for (const [source, check] of [A, C, PUSH].map((s, i) => [s, checks[i]!] as const)) {
      const [raw] = await store.select(matchers(source), NOW - DAY, NOW);
      const values = [...raw!.values];
      const ups = values.filter((v) => v === 1).length;
      const lastUp = raw!.timestamps[values.lastIndexOf(1)];
      expect(check).toMatchObject({
        runs24h: values.length,
        uptime24h: ups / values.length,
        lastCheck: raw!.timestamps.at(-1),
        lastSuccess: lastUp,
      });
    }
    // The last up of c is in an hour of the rollups, its raw samples read to find the minute.
    expect(checks[1]).toMatchObject({
      state: 'unhealthy',
      lastSuccess: C_DOWN - MIN,
      uptime24h: expect.any(Number),
    });
    expect(checks[0]).toMatchObject({ state: 'healthy', responseTimeMs: (NOW % (7 * MIN)) / MIN });
    expect(checks[1]!.responseTimeMs).toBeUndefined();
  });

  it('reads only the checks of the page’s own components, which give the states all checks give', async () => {
    const page = {
      slug: 's',
      title: 'S',
      description: '',
      groups: [
        {
          name: 'G',
          components: [
            { id: 'a', name: 'A', source: A },
            { id: 'p', name: 'P', source: PUSH },
          ],
        },
      ],
    };
    reads.length = 0;
    const view = await statusPageView(
      {
        ...sources(),
        checks: (only) => monitoredChecks(recording(store), NOW, only),
        incidents: () => [],
      },
      page,
      NOW,
    );
    // No read of every series of a name (every scrape target's `up`): each names its component's labels.
    expect(reads.filter((m) => m.length < 2)).toEqual([]);
    const all = await statusPageView(
      { ...sources(), checks: () => monitoredChecks(store, NOW), incidents: () => [] },
      page,
      NOW,
    );
    const states = (v: typeof view) => v.groups[0]!.components.map((c) => c.state);
    expect(states(view)).toEqual(states(all));
    expect(states(view)).not.toContain('unknown');
  });

  it('shows the whole first day in the page’s first bar, not from the time of day it is now', async () => {
    const view = await statusPageView(
      { ...sources(), checks: async () => [], incidents: () => [] },
      {
        slug: 's',
        title: 'S',
        description: '',
        groups: [{ name: 'G', components: [{ id: 'a', name: 'A', source: A }] }],
      },
      NOW,
    );
    const days = view.groups[0]!.components[0]!.days;
    expect(days).toHaveLength(90);
    // Down from 00:00 to 02:30 of that day, 150 of its 1,440 minutes.
    expect(days[0]).toEqual({ date: new Date(FIRST_DAY).toISOString().slice(0, 10), uptime: 1290 / 1440 });
    expect(days.at(-1)!.date).toBe(new Date(TODAY).toISOString().slice(0, 10));
  });
});
