import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';
import type { IntNativeHistogram } from '../../src/store/native-histogram.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

/**
 * `histogram_quantile(0.99, rate(h[5m]))` and the other functions of one histogram over a range
 * function, without an aggregation, over 100 native-histogram series of 645 buckets scraped every
 * 30 s for 24 hours (the issue's benchmark data): 289,000 histograms that weigh 93 million samples
 * against the query limits, for an answer of 144,100 floats. At the server's default limits it is
 * answered, one series' histograms held at a time; holding them all, as the step-wise path does, it
 * is refused (422).
 */
const SERIES = 100;
const BUCKETS = 645;
const INTERVAL = 30_000;
const END = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
const START = END - 24 * 3_600_000;
const dirs: string[] = [];
let server: RunningServer | undefined;

/** Series `s` after `n` scrapes: schema 6, one span of 645 buckets from index -300, integer counts. */
function scrapes(s: number): { timestamps: number[]; histograms: IntNativeHistogram[] } {
  let seed = 7 + s;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  const counts = new Array<number>(BUCKETS).fill(0);
  let count = 0;
  let sum = 0;
  const timestamps: number[] = [];
  const histograms: IntNativeHistogram[] = [];
  const phase = 1 + Math.floor(random() * (INTERVAL - 2));
  for (let t = START - 300_000 + phase; t <= END; t += INTERVAL) {
    for (let o = Math.floor(random() * 20); o > 0; o--) {
      // Around the middle bucket, about 2^(-300/64) = 0.04 s.
      const k = Math.min(BUCKETS - 1, Math.floor(((random() + random() + random()) / 3) * BUCKETS));
      counts[k]!++;
      count++;
      sum += 2 ** ((k - 300) / 64);
    }
    const deltas = counts.map((c, k) => c - (k === 0 ? 0 : counts[k - 1]!));
    timestamps.push(t);
    histograms.push({
      kind: 'int',
      schema: 6,
      zeroThreshold: 2 ** -128,
      zeroCount: 0,
      count,
      sum,
      positiveSpans: [{ offset: -300, length: BUCKETS }],
      positiveDeltas: deltas,
      negativeSpans: [],
      negativeDeltas: [],
      counterResetHint: timestamps.length === 1 ? 'unknown' : 'not_reset',
    });
  }
  return { timestamps, histograms };
}

beforeAll(async () => {
  const data = mkdtempSync(join(tmpdir(), 'vigil-native-limits-'));
  dirs.push(data);
  const store = await openSqliteStore({ dir: data });
  let stored = 0;
  for (let s = 0; s < SERIES; s++) {
    const { timestamps, histograms } = scrapes(s);
    const labels = { __name__: 'h', instance: `i${String(s).padStart(2, '0')}` };
    stored += (await store.appendHistograms([{ labels, timestamps, histograms }])).accepted;
    if (s % 10 === 9) await store.flush();
  }
  await store.close();
  expect(stored).toBeGreaterThan(SERIES * 2_880);
  server = await serve(loadConfig({ listen: '127.0.0.1:0', data, statsd: 'off' }, {}));
}, 600_000);

afterAll(async () => {
  await server?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: the JSON body of a range query
async function queryRange(query: string, start = START): Promise<{ status: number; body: any }> {
  const params = new URLSearchParams({
    query,
    start: String(start / 1000),
    end: String(END / 1000),
    step: '60',
  });
  const res = await fetch(`${server!.url}/api/v1/query_range?${params}`);
  return { status: res.status, body: await res.json() };
}

describe('percentiles of native histograms without an aggregation, at the default query limits', () => {
  it('answers histogram_quantile(0.99, rate(h[5m])) over 100 series x 24 h at a 60 s step', async () => {
    // Every histogram of the range held first (`* 1` keeps the step-wise path): refused early.
    const held = await queryRange('histogram_quantile(0.99, rate(h[5m]) * 1)');
    expect(held.status).toBe(422);
    expect(held.body.error).toMatch(/^query processing would use about \d+ MiB of memory/);
    const { status, body } = await queryRange('histogram_quantile(0.99, rate(h[5m]))');
    expect(status, JSON.stringify(body).slice(0, 300)).toBe(200);
    const result: { metric: Record<string, string>; values: [number, string][] }[] = body.data.result;
    expect(result).toHaveLength(SERIES);
    for (const series of result) {
      expect(series.metric).toEqual({ instance: expect.stringMatching(/^i\d\d$/) });
      expect(series.values).toHaveLength(24 * 60 + 1);
      // Inside the buckets observed: (2^(-301/64), 2^(344/64)].
      for (const [, v] of series.values) expect(Number(v)).toSatisfy((x: number) => x > 0.038 && x <= 41.5);
    }
    // The last 10 minutes as the step-wise path answers them (`* 1` keeps every count): the same strings.
    const recent = await queryRange('histogram_quantile(0.99, rate(h[5m]) * 1)', END - 600_000);
    expect(recent.status, JSON.stringify(recent.body).slice(0, 300)).toBe(200);
    expect(recent.body.data.result).toEqual(
      result.map((s) => ({ metric: s.metric, values: s.values.slice(-11) })),
    );
  }, 300_000);

  it('answers histogram_quantile(0.99, sum by (instance) (rate(h[5m]))), a group per series, over the same', async () => {
    // Each group is turned into its floats once its series is folded: its sums are not all held.
    const { status, body } = await queryRange('histogram_quantile(0.99, sum by (instance) (rate(h[5m])))');
    expect(status, JSON.stringify(body).slice(0, 300)).toBe(200);
    expect(body.data.result).toHaveLength(SERIES);
    for (const series of body.data.result) expect(series.values).toHaveLength(24 * 60 + 1);
  }, 300_000);
});
