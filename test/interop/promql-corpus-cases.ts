import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '@vigil/metrics';
import { loadConfig, type RunningServer, serve } from '@vigil/server';
import { afterAll, beforeAll } from 'vitest';
import { encodeRemoteWrite } from '../../packages/server/src/ingest/remote-write.js';
import type { SeriesSamples } from '../../packages/server/src/store/series-store.js';
import { type PrometheusPeer, startPrometheus } from './prometheus-peer.js';
import { CORPUS_SPAN_MS, corpusSeries } from './promql-corpus-data.js';

/**
 * The PromQL corpus as cases: each query of promql-corpus.txt asked as an instant query at six times
 * and as two range queries, over the corpus data written from a fixed start, so that Prometheus's
 * answers can be kept (promql-corpus.golden.jsonl) and vigil checked against them offline.
 *
 * vigil has Prometheus 3's left-open ranges, `(t - range, t]`, where 2.42 includes `t - range`.
 * No sample lies on a whole second (promql-corpus-data.ts) and every query time and range is whole
 * seconds, so range selectors and the lookback select the same samples in both. A subquery's steps
 * are aligned to its step, so its first step can fall exactly at `t - range`: 2.42 is asked for the
 * range 1 ms shorter (`asked`), which selects the same steps; `rate`, `increase` and `delta` straight
 * over a subquery then divide by a range 1 ms shorter, so they agree within 1e-4 (`tolerance`).
 */
const here = dirname(fileURLToPath(import.meta.url));

/** 2026-01-05T00:00:00Z: the golden answers hold absolute times, so the data always starts here. */
export const CORPUS_T0 = Date.UTC(2026, 0, 5);

export const GOLDEN_FILE = join(here, 'promql-corpus.golden.jsonl');

export const corpus: readonly string[] = readFileSync(join(here, 'promql-corpus.txt'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));

export type Outcome =
  | { kind: 'error'; errorType: string; error: string }
  | { kind: 'data'; resultType: string; result: unknown };

export interface CorpusCase {
  readonly query: string;
  readonly label: string;
  readonly path: '/api/v1/query' | '/api/v1/query_range';
  readonly params: Readonly<Record<string, string>>;
  /** The query as Prometheus 2.42 is asked it, when it differs (a subquery 1 ms shorter). */
  readonly asked?: string;
  /** Relative tolerance of values; 1e-9 unless set. */
  readonly tolerance?: number;
  /** Whether the series' order is part of the answer (sort, sort_desc at an instant). */
  readonly ordered: boolean;
}

/** A case with Prometheus 2.42's answer: one line of the golden file. */
export interface GoldenCase extends CorpusCase {
  readonly answer: Outcome;
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

/** The query as Prometheus 2.42 answers it as Prometheus 3 does: each subquery range 1 ms shorter. */
export function prometheus2Query(query: string): string {
  return query.replace(
    /\[(\w+):(\w*)\]/g,
    (_, range: string, step: string) => `[${durationText(durationMs(range) - 1)}:${step}]`,
  );
}

export const CORPUS_INSTANT_TIMES = [
  7 * 60,
  45 * 60 + 30,
  70 * 60 + 5,
  119 * 60 + 59,
  124 * 60,
  131 * 60,
].map((s) => (CORPUS_T0 + s * 1000) / 1000);
const ranges = [
  { start: String(CORPUS_T0 / 1000), end: String((CORPUS_T0 + 130 * 60_000) / 1000), step: '60' },
  {
    start: String((CORPUS_T0 + 50 * 60_000 + 7_000) / 1000),
    end: String((CORPUS_T0 + 82 * 60_000) / 1000),
    step: '37',
  },
];

/** Every case of the corpus, in order. */
export function corpusCases(): CorpusCase[] {
  return corpus.flatMap((query) => {
    const asked = prometheus2Query(query);
    const tolerance = /\b(rate|increase|delta)\([^()]*\[\w+:\w*\]/.test(query) ? 1e-4 : undefined;
    const common = { query, ...(asked !== query && { asked }), ...(tolerance && { tolerance }) };
    const sorted = /^sort(_desc)?\(/.test(query);
    return [
      ...CORPUS_INSTANT_TIMES.map(
        (time): CorpusCase => ({
          ...common,
          label: `instant @${time - CORPUS_T0 / 1000}s`,
          path: '/api/v1/query',
          params: { query, time: String(time) },
          ordered: sorted,
        }),
      ),
      ...ranges.map(
        (r): CorpusCase => ({
          ...common,
          label: `range step ${r.step}`,
          path: '/api/v1/query_range',
          params: { query, ...r },
          ordered: false,
        }),
      ),
    ];
  });
}

export function readGolden(): GoldenCase[] {
  return readFileSync(GOLDEN_FILE, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as GoldenCase);
}

/** One case a line, so that a refresh shows in a diff as the answers that changed. */
export function writeGolden(cases: readonly GoldenCase[]): void {
  writeFileSync(GOLDEN_FILE, cases.map((c) => `${JSON.stringify(c)}\n`).join(''));
}

/** The corpus data by remote write, in 30-minute windows: Prometheus refuses samples older than its newest minus 1 h. */
export async function writeCorpus(url: string): Promise<void> {
  const series = corpusSeries(CORPUS_T0);
  for (let from = CORPUS_T0; from < CORPUS_T0 + CORPUS_SPAN_MS; from += 1_800_000) {
    const to = from + 1_800_000;
    const batch = series.flatMap((s): SeriesSamples[] => {
      const keep: number[] = [];
      for (let i = 0; i < s.timestamps.length; i++) {
        const t = s.timestamps[i]!;
        if (t >= from && t < to) keep.push(i);
      }
      if (keep.length === 0) return [];
      const values = Float64Array.from(keep, (k) => s.values[k]!);
      return [{ labels: s.labels, timestamps: keep.map((k) => s.timestamps[k]!), values }];
    });
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
}

/**
 * vigil serving the corpus data from `data`, with the experimental functions the corpus uses. Its
 * clock is set after the data's fixed start, so nothing is too old for its retention.
 */
export async function startCorpusVigil(data: string): Promise<RunningServer> {
  const vigil = await serve(
    loadConfig(
      { listen: '127.0.0.1:0', data, statsd: 'off', enableFeatures: ['promql-experimental-functions'] },
      {},
    ),
    new ManualClock(CORPUS_T0 + 3 * 3_600_000),
  );
  await writeCorpus(vigil.url);
  return vigil;
}

/** Debian's Prometheus 2.42 in `work`, receiving remote write, holding the corpus data. */
async function startCorpusPrometheus(work: string): Promise<PrometheusPeer> {
  const peer = await startPrometheus(work, 'global:\n  scrape_interval: 1m\nscrape_configs: []\n', [
    '--web.enable-remote-write-receiver',
  ]);
  await writeCorpus(peer.url);
  return peer;
}

/**
 * vigil and Prometheus 2.42 both holding the corpus data, for the interop test file that calls this
 * at its top: started before its tests, stopped after them, their directory (`vigil-<name>-…` in
 * the system's temporary folder) removed. Read the fields inside tests, once the peers are up.
 */
export function useCorpusPeers(name: string): { readonly vigil: RunningServer; readonly promUrl: string } {
  const work = mkdtempSync(join(tmpdir(), `vigil-${name}-`));
  let vigil: RunningServer | undefined;
  let prometheus: PrometheusPeer | undefined;
  beforeAll(async () => {
    vigil = await startCorpusVigil(join(work, 'vigil'));
    prometheus = await startCorpusPrometheus(work);
  }, 120_000);
  afterAll(async () => {
    await prometheus?.prometheus.stop();
    await vigil?.close();
    rmSync(work, { recursive: true, force: true });
  });
  const started = <T>(peer: T | undefined, what: string): T => {
    if (peer === undefined) throw new Error(`${what} is not started: read it inside a test`);
    return peer;
  };
  return {
    get vigil() {
      return started(vigil, 'vigil');
    },
    get promUrl() {
      return started(prometheus, 'Prometheus').url;
    },
  };
}

export async function ask(base: string, path: string, params: Record<string, string>): Promise<Outcome> {
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

function num(text: string): number {
  return text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text);
}

function close(a: string, b: string, relative: number): boolean {
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

export function key(metric: Record<string, string>): string {
  return JSON.stringify(Object.entries(metric).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * Why vigil's answer differs from Prometheus's, or undefined when they agree: same result type,
 * same label sets (in the same order when `ordered`), values within `relative` (NaN equal to NaN),
 * or the same error type.
 */
export function difference(
  prom: Outcome,
  ours: Outcome,
  ordered: boolean,
  relative = 1e-9,
): string | undefined {
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
