import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type RunningServer, serve } from '@vigil/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRemoteWrite } from '../../packages/server/src/ingest/remote-write.js';
import type { SeriesSamples } from '../../packages/server/src/store/series-store.js';
import { freePort } from '../support/free-port.js';
import { type PeerProcess, startPeer } from './peer-process.js';
import { CORPUS_SPAN_MS, corpusSeries } from './promql-corpus-data.js';

/**
 * Debian's Prometheus 2.42 and vigil receive the same samples by remote write (explicit
 * timestamps), then every query of promql-corpus.txt runs against both, as instant queries at
 * several times and as range queries, and the answers must agree: same result type, same label
 * sets, values within 1e-9 relative (NaN equal to NaN), or the same error type.
 *
 * vigil has Prometheus 3's left-open ranges, `(t - range, t]`, where 2.42 includes `t - range`.
 * No sample lies on a whole second (promql-corpus-data.ts) and every query time and range is whole
 * seconds, so range selectors and the lookback select the same samples in both. A subquery's
 * steps are aligned to its step, so its first step can fall exactly at `t - range`: 2.42 is asked
 * for the range 1 ms shorter, which selects the same steps (see prometheus2Query).
 */
const here = dirname(fileURLToPath(import.meta.url));
const corpus = readFileSync(join(here, 'promql-corpus.txt'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));

const work = mkdtempSync(join(tmpdir(), 'vigil-promql-compat-'));
// Two hours of data ending an hour ago, on a whole minute: never in the future (peers README gotcha 3).
const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 3 * 3_600_000;
let vigil: RunningServer;
let prometheus: PeerProcess;
let promUrl: string;

/** `count` requests of consecutive 30-minute windows: Prometheus refuses samples older than its newest minus 1 h. */
function timeWindows(series: SeriesSamples[]): SeriesSamples[][] {
  const windows: SeriesSamples[][] = [];
  for (let from = t0; from < t0 + CORPUS_SPAN_MS; from += 1_800_000) {
    const to = from + 1_800_000;
    windows.push(
      series.flatMap((s) => {
        const keep: number[] = [];
        for (let i = 0; i < s.timestamps.length; i++) {
          const t = s.timestamps[i]!;
          if (t >= from && t < to) keep.push(i);
        }
        if (keep.length === 0) return [];
        const values = new Float64Array(keep.length);
        keep.forEach((k, j) => {
          values[j] = s.values[k]!;
        });
        return [{ labels: s.labels, timestamps: keep.map((k) => s.timestamps[k]!), values }];
      }),
    );
  }
  return windows;
}

async function write(url: string, batch: SeriesSamples[]): Promise<void> {
  const response = await fetch(`${url}/api/v1/write`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-protobuf',
      'Content-Encoding': 'snappy',
      'X-Prometheus-Remote-Write-Version': '0.1.0',
    },
    body: encodeRemoteWrite(batch),
  });
  const text = await response.text();
  if (response.status !== 204) throw new Error(`${url}: remote write answered ${response.status}: ${text}`);
}

beforeAll(async () => {
  vigil = await serve(
    loadConfig(
      {
        listen: '127.0.0.1:0',
        data: join(work, 'vigil'),
        statsd: 'off',
        enableFeatures: ['promql-experimental-functions'],
      },
      {},
    ),
  );
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  const config = join(work, 'prometheus.yml');
  writeFileSync(config, 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
  prometheus = await startPeer(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(work, 'prom-data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
    ],
    async () => (await fetch(`${promUrl}/-/ready`)).ok,
  );
  for (const batch of timeWindows(corpusSeries(t0))) {
    await write(promUrl, batch);
    await write(vigil.url, batch);
  }
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  await vigil?.close();
  rmSync(work, { recursive: true, force: true });
});

type Outcome =
  | { kind: 'error'; errorType: string; error: string }
  | { kind: 'data'; resultType: string; result: unknown };

async function ask(base: string, path: string, params: Record<string, string>): Promise<Outcome> {
  const response = await fetch(`${base}${path}?${new URLSearchParams(params)}`);
  const body = (await response.json()) as {
    status: string;
    errorType?: string;
    error?: string;
    data?: { resultType: string; result: unknown };
  };
  if (body.status !== 'success')
    return { kind: 'error', errorType: String(body.errorType), error: String(body.error) };
  return { kind: 'data', resultType: body.data!.resultType, result: body.data!.result };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30m` → 1,800,000 ms. */
function durationMs(text: string): number {
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(ms|s|m|h|d)/g)) ms += Number(n) * UNIT_MS[unit!]!;
  return ms;
}

/** 1,799,999 ms → `29m59s999ms`. */
function durationText(ms: number): string {
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms']) {
    const n = Math.floor(ms / UNIT_MS[unit]!);
    if (n > 0) out += `${n}${unit}`;
    ms -= n * UNIT_MS[unit]!;
  }
  return out;
}

/**
 * The query as Prometheus 2.42 answers it as Prometheus 3 does: each subquery range 1 ms shorter,
 * so that a step exactly at `t - range` is left out there too.
 */
function prometheus2Query(query: string): string {
  return query.replace(
    /\[(\w+):(\w*)\]/g,
    (_, range: string, step: string) => `[${durationText(durationMs(range) - 1)}:${step}]`,
  );
}

/**
 * `rate`, `increase` and `delta` straight over a subquery extrapolate to the range's start and
 * divide by its length, which is 1 ms shorter in the 2.42 query: 1 ms of the sampled interval, a
 * minute or more, so within 1e-4 rather than 1e-9.
 */
function tolerance(query: string): number {
  return /\b(rate|increase|delta)\([^()]*\[\w+:\w*\]/.test(query) ? 1e-4 : 1e-9;
}

function num(text: string): number {
  return text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text);
}

function close(a: string, b: string, relative = 1e-9): boolean {
  const x = num(a);
  const y = num(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
  if (x === y) return true;
  return Math.abs(x - y) <= relative * Math.max(Math.abs(x), Math.abs(y));
}

type Point = [number, string];
interface Sample {
  metric: Record<string, string>;
  value?: Point;
  values?: Point[];
}

function key(metric: Record<string, string>): string {
  return JSON.stringify(Object.entries(metric).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Why two outcomes differ, or undefined when they agree. */
function difference(prom: Outcome, ours: Outcome, ordered: boolean, relative = 1e-9): string | undefined {
  if (prom.kind === 'error' || ours.kind === 'error') {
    if (prom.kind === 'error' && ours.kind === 'error')
      return prom.errorType === ours.errorType
        ? undefined
        : `error types: Prometheus ${prom.errorType} (${prom.error}), vigil ${ours.errorType} (${ours.error})`;
    return prom.kind === 'error'
      ? `Prometheus failed (${prom.errorType}: ${prom.error}), vigil answered`
      : `vigil failed (${ours.errorType}: ${ours.error}), Prometheus answered`;
  }
  if (prom.resultType !== ours.resultType) return `result types: ${prom.resultType} vs ${ours.resultType}`;
  if (prom.resultType === 'scalar' || prom.resultType === 'string') {
    const [pt, pv] = prom.result as Point;
    const [ot, ov] = ours.result as Point;
    return pt === ot && (prom.resultType === 'string' ? pv === ov : close(pv, ov, relative))
      ? undefined
      : `${JSON.stringify(prom.result)} vs ${JSON.stringify(ours.result)}`;
  }
  const p = prom.result as Sample[];
  const o = ours.result as Sample[];
  if (ordered) {
    const pk = p.map((s) => key(s.metric)).join('\n');
    const ok = o.map((s) => key(s.metric)).join('\n');
    if (pk !== ok) return `order:\n  Prometheus ${pk}\n  vigil      ${ok}`;
  }
  const theirs = new Map(p.map((s) => [key(s.metric), s]));
  const mine = new Map(o.map((s) => [key(s.metric), s]));
  const missing = [...theirs.keys()].filter((k) => !mine.has(k));
  const extra = [...mine.keys()].filter((k) => !theirs.has(k));
  if (missing.length > 0 || extra.length > 0)
    return `label sets: missing ${missing.join(' ')}; extra ${extra.join(' ')}`;
  for (const [k, s] of theirs) {
    const m = mine.get(k)!;
    const sp = s.values ?? [s.value!];
    const mp = m.values ?? [m.value!];
    if (sp.length !== mp.length)
      return `${k}: ${sp.length} points vs ${mp.length}: ${JSON.stringify(sp.slice(0, 5))} vs ${JSON.stringify(mp.slice(0, 5))}`;
    for (let i = 0; i < sp.length; i++) {
      if (sp[i]![0] !== mp[i]![0] || !close(sp[i]![1], mp[i]![1], relative))
        return `${k} at ${sp[i]![0]}: Prometheus ${JSON.stringify(sp[i])}, vigil ${JSON.stringify(mp[i])}`;
    }
  }
  return undefined;
}

const instantTimes = [7 * 60, 45 * 60 + 30, 70 * 60 + 5, 119 * 60 + 59, 124 * 60, 131 * 60].map(
  (s) => (t0 + s * 1000) / 1000,
);
const ranges = [
  { start: String(t0 / 1000), end: String((t0 + 130 * 60_000) / 1000), step: '60' },
  { start: String((t0 + 50 * 60_000 + 7_000) / 1000), end: String((t0 + 82 * 60_000) / 1000), step: '37' },
];

describe('PromQL: vigil answers as Prometheus 2.42 on the same samples', () => {
  it(`agrees on all ${corpus.length} queries of the corpus, instant and range`, async () => {
    const disagreements: string[] = [];
    let comparisons = 0;
    let agreed = 0;
    for (const query of corpus) {
      const ordered = /^sort(_desc)?\(/.test(query);
      const cases: { path: string; params: Record<string, string>; label: string }[] = [
        ...instantTimes.map((time) => ({
          path: '/api/v1/query',
          params: { query, time: String(time) },
          label: `instant @${time - t0 / 1000}s`,
        })),
        ...ranges.map((r) => ({
          path: '/api/v1/query_range',
          params: { query, ...r },
          label: `range step ${r.step}`,
        })),
      ];
      for (const c of cases) {
        const [prom, ours] = await Promise.all([
          ask(promUrl, c.path, { ...c.params, query: prometheus2Query(query) }),
          ask(vigil.url, c.path, c.params),
        ]);
        comparisons++;
        const why = difference(prom, ours, ordered && c.path === '/api/v1/query', tolerance(query));
        if (why === undefined) agreed++;
        else disagreements.push(`${query} [${c.label}]: ${why}`);
      }
    }
    console.log(
      `PromQL corpus: ${corpus.length} queries, ${comparisons} comparisons, ${agreed} agreed, ${disagreements.length} disagreed`,
    );
    expect(disagreements).toEqual([]);
  }, 600_000);
});

describe("Prometheus 3's renamed holt_winters", () => {
  it('double_exponential_smoothing answers as 2.42 holt_winters does', async () => {
    const disagreements: string[] = [];
    for (const args of [
      'node_temperature_celsius[10m], 0.3, 0.6',
      'memory_analysis_cache_size[30m], 0.1, 0.9',
    ]) {
      for (const time of instantTimes) {
        const params = { time: String(time) };
        const [prom, ours] = await Promise.all([
          ask(promUrl, '/api/v1/query', { ...params, query: `holt_winters(${args})` }),
          ask(vigil.url, '/api/v1/query', { ...params, query: `double_exponential_smoothing(${args})` }),
        ]);
        const why = difference(prom, ours, false);
        if (why !== undefined) disagreements.push(`${args} @${time}: ${why}`);
        expect(ours).toMatchObject({ kind: 'data', resultType: 'vector' });
      }
    }
    expect(disagreements).toEqual([]);
  });
});

describe('series, labels and label values: vigil answers as Prometheus 2.42', () => {
  const s = (ms: number) => String((t0 + ms) / 1000);
  const asks: [string, [string, string][]][] = [
    ['/api/v1/series', [['match[]', 'up']]],
    [
      '/api/v1/series',
      [
        ['match[]', '{job="api"}'],
        ['match[]', 'build_info'],
      ],
    ],
    [
      '/api/v1/series',
      [
        ['match[]', 'up'],
        ['start', s(75 * 60_000)],
        ['end', s(120 * 60_000)],
      ],
    ],
    [
      '/api/v1/series',
      [
        ['match[]', 'http_requests_total{code=~"5.."}'],
        ['start', s(0)],
        ['end', s(10 * 60_000)],
      ],
    ],
    ['/api/v1/labels', []],
    ['/api/v1/labels', [['match[]', 'memory_analysis_duration_seconds_bucket']]],
    ['/api/v1/label/job/values', []],
    ['/api/v1/label/instance/values', [['match[]', 'http_requests_total']]],
    ['/api/v1/label/__name__/values', [['match[]', '{job="backend"}']]],
    ['/api/v1/label/le/values', []],
  ];

  const canonical = (data: unknown) =>
    (data as unknown[]).map((d) => (typeof d === 'string' ? d : key(d as Record<string, string>))).sort();

  for (const [path, params] of asks) {
    it(`${path}?${new URLSearchParams(params)}, by GET and by POST`, async () => {
      const query = new URLSearchParams(params).toString();
      const answers = await Promise.all(
        [promUrl, vigil.url].map(async (base) => {
          const res = await fetch(`${base}${path}?${query}`);
          return canonical(((await res.json()) as { data: unknown }).data);
        }),
      );
      expect(answers[0]!.length).toBeGreaterThan(0);
      expect(answers[1]).toEqual(answers[0]);
      if (!path.startsWith('/api/v1/label/')) {
        const res = await fetch(`${vigil.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: query,
        });
        expect(canonical(((await res.json()) as { data: unknown }).data)).toEqual(answers[0]);
      }
    });
  }
});
