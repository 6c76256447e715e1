import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type RunningServer, serve } from '@vigil/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRemoteWrite } from '../../packages/server/src/ingest/remote-write.js';
import { isStaleNaN, type SeriesSamples } from '../../packages/server/src/store/series-store.js';
import { freePort } from '../support/free-port.js';
import { until } from '../support/until.js';
import { type PeerProcess, startPeer } from './peer-process.js';
import { CORPUS_SPAN_MS, corpusSeries } from './promql-corpus-data.js';

/**
 * vigil with Debian's VictoriaMetrics 1.79 as its distributed backend (`remote: { writeUrl,
 * queryUrl }`): ingest goes through vigil's on-disk queue into VictoriaMetrics by remote write,
 * queries are answered by VictoriaMetrics through vigil's API. Then VictoriaMetrics is stopped while
 * ingest goes on: vigil keeps acknowledging, its queue grows and holds; once VictoriaMetrics is back
 * the queue drains and every acknowledged sample is there. Flags: shared/peers README §2, gotcha 5.
 */
const here = dirname(fileURLToPath(import.meta.url));
const corpus = readFileSync(join(here, 'promql-corpus.txt'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));
const work = mkdtempSync(join(tmpdir(), 'vigil-remote-vm-'));
const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 3 * 3_600_000;
let vmPort: number;
let vmUrl: string;
let vm: PeerProcess | undefined;
let vigil: RunningServer;
let embedded: RunningServer;

function startVm(): Promise<PeerProcess> {
  return startPeer(
    'victoria-metrics',
    [
      `-storageDataPath=${join(work, 'vm')}`,
      `-httpListenAddr=127.0.0.1:${vmPort}`,
      '-retentionPeriod=1',
      '-search.latencyOffset=0s',
      '-search.disableCache',
    ],
    async () => (await fetch(`${vmUrl}/health`)).ok,
  );
}

async function write(url: string, batch: SeriesSamples[]): Promise<number> {
  const response = await fetch(`${url}/api/v1/write`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy' },
    body: encodeRemoteWrite(batch),
  });
  await response.arrayBuffer();
  return response.status;
}

async function selfMetric(name: string): Promise<number> {
  const text = await (await fetch(`${vigil.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : Number.NaN;
}

async function instant(base: string, query: string, time: number) {
  const res = await fetch(`${base}/api/v1/query?${new URLSearchParams({ query, time: String(time) })}`);
  return (await res.json()) as {
    status: string;
    errorType?: string;
    data?: { resultType: string; result: unknown };
  };
}

/** Samples held for `selector` over the corpus span and more, counted by the engine itself. */
async function stored(base: string, selector: string, at: number): Promise<number> {
  await fetch(`${vmUrl}/internal/force_flush`).catch(() => undefined);
  const body = await instant(base, `sum(count_over_time(${selector}[6h]))`, at / 1000);
  const result = body.data?.result as { value: [number, string] }[] | undefined;
  return result?.[0] ? Number(result[0].value[1]) : 0;
}

function countSamples(series: SeriesSamples[], keep: (labels: Record<string, string>) => boolean): number {
  let n = 0;
  for (const s of series) {
    if (!keep(s.labels)) continue;
    for (let i = 0; i < s.values.length; i++) if (!isStaleNaN(s.values[i]!)) n++;
  }
  return n;
}

beforeAll(async () => {
  vmPort = await freePort();
  vmUrl = `http://127.0.0.1:${vmPort}`;
  vm = await startVm();
  vigil = await serve(
    loadConfig(
      { listen: '127.0.0.1:0', data: join(work, 'vigil'), statsd: 'off' },
      {
        VIGIL_REMOTE_WRITE_URL: `${vmUrl}/api/v1/write`,
        VIGIL_REMOTE_QUERY_URL: vmUrl,
      },
    ),
  );
  embedded = await serve(
    loadConfig({ listen: '127.0.0.1:0', data: join(work, 'embedded'), statsd: 'off' }, {}),
  );
}, 120_000);

afterAll(async () => {
  await vigil?.close();
  await embedded?.close();
  await vm?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('vigil over VictoriaMetrics 1.79 (the distributed backend)', () => {
  const series = corpusSeries(t0);
  const end = t0 + CORPUS_SPAN_MS;

  it('sends every ingested sample to VictoriaMetrics and answers the corpus with its answers', async () => {
    for (let from = t0; from < end; from += 1_800_000) {
      const batch = series.flatMap((s) => {
        const keep: number[] = [];
        for (let i = 0; i < s.timestamps.length; i++) {
          const t = s.timestamps[i]!;
          if (t >= from && t < from + 1_800_000) keep.push(i);
        }
        const values = new Float64Array(keep.length);
        keep.forEach((k, j) => {
          values[j] = s.values[k]!;
        });
        return keep.length === 0
          ? []
          : [{ labels: s.labels, timestamps: keep.map((k) => s.timestamps[k]!), values }];
      });
      expect(await write(vigil.url, batch)).toBe(204);
      expect(await write(embedded.url, batch)).toBe(204);
    }
    await until(
      'the queue to drain',
      async () => ((await selfMetric('vigil_remote_queue_segments')) === 0 ? true : undefined),
      { timeoutMs: 60_000, context: () => vm?.output().slice(-1500) ?? '' },
    );
    const expected = countSamples(series, (l) => l.job === 'backend');
    const got = await until(
      'VictoriaMetrics to hold every sample',
      async () => {
        const n = await stored(vmUrl, '{job="backend"}', end);
        return n === expected ? n : undefined;
      },
      { timeoutMs: 60_000, context: () => vm?.output().slice(-1500) ?? '' },
    );
    expect(got).toBe(expected);

    // Through vigil, each query gets what VictoriaMetrics itself answers (its parallel sums differ
    // in the last digit from run to run, hence sameData's tolerance); how often that
    // equals vigil's embedded PromQL engine is measured (MetricsQL is not PromQL everywhere).
    const times = [45 * 60 + 30, 119 * 60 + 59].map((s) => (t0 + s * 1000) / 1000);
    let same = 0;
    let asPromql = 0;
    let total = 0;
    const mismatches: string[] = [];
    for (const query of corpus) {
      for (const time of times) {
        const [direct, through, local] = await Promise.all([
          instant(vmUrl, query, time),
          instant(vigil.url, query, time),
          instant(embedded.url, query, time),
        ]);
        total++;
        const agree =
          direct.status === through.status &&
          (direct.status !== 'success' || sameData(direct.data, through.data));
        if (agree) same++;
        else
          mismatches.push(
            `${query} @${time}: VictoriaMetrics ${JSON.stringify(direct).slice(0, 200)} vigil ${JSON.stringify(through).slice(0, 200)}`,
          );
        if (through.status === 'success' && local.status === 'success' && sameData(through.data, local.data))
          asPromql++;
      }
    }
    console.log(
      `vigil over VictoriaMetrics: ${total} corpus queries, ${same} answered as VictoriaMetrics does; ${asPromql} equal to vigil's embedded PromQL engine`,
    );
    expect(mismatches).toEqual([]);
  }, 300_000);

  it('holds what it acknowledged while VictoriaMetrics is down, then drains it all', async () => {
    await vm!.stop();
    vm = undefined;
    const outageStart = Date.now() - 10 * 60_000;
    const sent: SeriesSamples[] = [];
    for (let i = 0; i < 20; i++) {
      const batch = [
        {
          labels: { __name__: 'outage_samples', job: 'outage', batch: String(i % 4) },
          timestamps: Array.from({ length: 30 }, (_, k) => outageStart + i * 30_000 + k * 1000),
          values: Float64Array.from({ length: 30 }, (_, k) => i * 100 + k),
        },
      ];
      sent.push(...batch);
      expect(await write(vigil.url, batch)).toBe(204);
    }
    // Acknowledged, on disk, not sent: the queue holds all 20 batches and the writer keeps failing.
    expect(await selfMetric('vigil_remote_queue_segments')).toBe(20);
    expect(await selfMetric('vigil_remote_queue_samples')).toBe(600);
    await until(
      'a failed send',
      async () => {
        const text = await (await fetch(`${vigil.url}/metrics`)).text();
        return /vigil_remote_failed_requests_total\{reason="network"\} [1-9]/.test(text) ? true : undefined;
      },
      { timeoutMs: 60_000, context: () => vm?.output().slice(-1500) ?? '' },
    );
    // Queries fail as unavailable (503) while the backend is down, rather than answering empty.
    const down = await fetch(`${vigil.url}/api/v1/query?query=up`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'error', errorType: 'unavailable' });

    vm = await startVm();
    await until(
      'the queue to drain after the restart',
      async () => ((await selfMetric('vigil_remote_queue_segments')) === 0 ? true : undefined),
      { timeoutMs: 90_000, context: () => vm?.output().slice(-1500) ?? '' },
    );
    const got = await until(
      'VictoriaMetrics to hold the outage samples',
      async () => {
        const n = await stored(vigil.url, '{job="outage"}', Date.now());
        return n === 600 ? n : undefined;
      },
      { timeoutMs: 60_000, context: () => vm?.output().slice(-1500) ?? '' },
    );
    expect(got).toBe(600);
    // And the data from before the outage is still all there.
    expect(await stored(vigil.url, '{job="backend"}', end)).toBe(
      countSamples(series, (l) => l.job === 'backend'),
    );
  }, 180_000);
});

function num(text: string): number {
  return text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text);
}

/** Same label sets and values within 1e-9 relative, order aside (VictoriaMetrics aggregates in parallel). */
function sameData(a: unknown, b: unknown): boolean {
  const x = a as { resultType: string; result: unknown };
  const y = b as { resultType: string; result: unknown };
  if (x.resultType !== y.resultType) return false;
  type Point = [number, string];
  const flat = (d: { resultType: string; result: unknown }): Map<string, Point[]> =>
    d.resultType === 'vector' || d.resultType === 'matrix'
      ? new Map(
          (d.result as { metric: Record<string, string>; value?: Point; values?: Point[] }[]).map((s) => [
            JSON.stringify(Object.entries(s.metric).sort()),
            s.values ?? [s.value!],
          ]),
        )
      : new Map([['', [d.result as Point]]]);
  const p = flat(x);
  const q = flat(y);
  if (p.size !== q.size) return false;
  for (const [k, points] of p) {
    const other = q.get(k);
    if (other === undefined || other.length !== points.length) return false;
    for (let i = 0; i < points.length; i++) {
      const [t1, v1] = points[i]!;
      const [t2, v2] = other[i]!;
      const m = num(v1);
      const n = num(v2);
      const close =
        (Number.isNaN(m) && Number.isNaN(n)) ||
        m === n ||
        Math.abs(m - n) <= 1e-9 * Math.max(Math.abs(m), Math.abs(n));
      if (t1 !== t2 || !close) return false;
    }
  }
  return true;
}
