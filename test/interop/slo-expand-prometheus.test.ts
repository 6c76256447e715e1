import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry, toProtobuf } from '@vigil/metrics';
import { loadConfig, type RunningServer, serve } from '@vigil/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSlos } from '../../packages/server/src/cli/check-slos.js';
import { parseProtobufExposition } from '../../packages/server/src/ingest/protobuf-exposition.js';
import { encodeRemoteWrite } from '../../packages/server/src/ingest/remote-write.js';
import type { SeriesHistograms, SeriesSamples } from '../../packages/server/src/store/series-store.js';
import { until } from '../support/until.js';
import type { PeerProcess } from './peer-process.js';
import { startPrometheus } from './prometheus-peer.js';

/**
 * `vigil check slos --expand` loaded into Debian's Prometheus 2.42 (started with
 * `--enable-feature=native-histograms`, which 2.42 needs for histogram_fraction to see anything): the
 * same samples remote-written into it and into vigil, each evaluates the expansion every second, and
 * both record the same error ratios, for a ratio SLI, a classic-bucket latency SLI and a latency SLI
 * over a native histogram (threshold at a bucket bound, where histogram_fraction is exact whatever
 * a version's interpolation inside a bucket), and neither records anything for an SLO whose
 * counters stood still.
 */
const work = mkdtempSync(join(tmpdir(), 'vigil-slo-prom-'));
const SLOS = `slos:
  - name: checkout
    objective: 99
    sli:
      ratio:
        errors: sum(rate(req_total{code="500"}[$window]))
        total: sum(rate(req_total[$window]))
  - name: quiet
    objective: 99
    sli:
      ratio:
        errors: sum(rate(idle_total{code="500"}[$window]))
        total: sum(rate(idle_total[$window]))
  - name: search-latency
    objective: 95
    sli:
      latency: { histogram: search_seconds, threshold: 2 }
  - name: stt-latency
    objective: 95
    sli:
      latency: { histogram: stt_seconds, matchers: 'operation="stt"', threshold: 2, native: true }
`;
let prometheus: PeerProcess;
let promUrl: string;
let vigil: RunningServer;
let expanded: string;

beforeAll(async () => {
  writeFileSync(join(work, 'slos.yml'), SLOS);
  const out: string[] = [];
  const errors: string[] = [];
  expect(
    await checkSlos(
      ['--expand', join(work, 'slos.yml')],
      (l) => out.push(l),
      (l) => errors.push(l),
    ),
  ).toBe(0);
  expanded = join(work, 'expanded.yml');
  writeFileSync(expanded, `${out.join('\n')}\n`);
  ({ prometheus, url: promUrl } = await startPrometheus(
    work,
    `global:\n  scrape_interval: 1m\n  evaluation_interval: 1s\nrule_files: [${JSON.stringify(expanded)}]\n`,
    ['--enable-feature=native-histograms', '--web.enable-remote-write-receiver'],
  ));
  writeFileSync(
    join(work, 'vigil.yaml'),
    `evaluation_interval: 1s\nslo_files: [${JSON.stringify(join(work, 'slos.yml'))}]\n`,
  );
  vigil = await serve(
    loadConfig(
      { config: join(work, 'vigil.yaml'), listen: '127.0.0.1:0', data: join(work, 'vigil'), statsd: 'off' },
      {},
    ),
  );
}, 60_000);

afterAll(async () => {
  await vigil?.close();
  await prometheus?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** A @vigil/metrics native histogram after each batch, as the server reads it from the protobuf exposition. */
async function nativeHistograms(
  batches: readonly (readonly number[])[],
  labels: Record<string, string>,
  times: readonly number[],
): Promise<SeriesHistograms> {
  const registry = new Registry();
  const h = registry.histogram({ name: 'h', help: 'h' });
  const histograms: unknown[] = [];
  for (const batch of batches) {
    for (const v of batch) h.observe(v);
    const [read] = parseProtobufExposition(toProtobuf(await registry.snapshot({ native: true }))).histograms;
    histograms.push(read!.histogram);
  }
  return { labels, timestamps: times, histograms } as SeriesHistograms;
}

/** Each recorded error ratio over `window` by SLO name. */
async function ratios(base: string, window: string): Promise<Record<string, number>> {
  const url = `${base}/api/v1/query?${new URLSearchParams({ query: `slo:sli_error:ratio_rate${window}` })}`;
  const body = (await (await fetch(url)).json()) as {
    status: string;
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  expect(body.status).toBe('success');
  return Object.fromEntries(body.data.result.map((r) => [r.metric.slo!, Number(r.value[1])]));
}

describe('the --expand output of a native-histogram latency SLO, in Prometheus 2.42', () => {
  it('passes promtool check rules', () => {
    const run = spawnSync('promtool', ['check', 'rules', expanded], { encoding: 'utf8', timeout: 30_000 });
    if (run.error)
      throw new Error(
        `promtool did not run (${run.error.message}); install it with scripts/install-peers.sh`,
      );
    // Four SLOs, each 8 recorded ratios and 2 burn-rate alerts.
    expect(`${run.stdout}${run.stderr}`).toContain('SUCCESS: 40 rules found');
    expect(run.status).toBe(0);
  });

  it('records the error ratios vigil records from the same samples', async () => {
    const now = Math.floor(Date.now() / 1000) * 1000;
    const times = [now - 60_000, now - 45_000, now - 30_000];
    // Each counter grows in proportion to the others, from 0, so rate's extrapolation scales them all
    // alike and the ratios are exactly those written.
    const float = (labels: Record<string, string>, perStep: number): SeriesSamples => ({
      labels,
      timestamps: times,
      values: times.map((_, i) => i * perStep),
    });
    const series: SeriesSamples[] = [
      float({ __name__: 'req_total', code: '200' }, 98),
      float({ __name__: 'req_total', code: '500' }, 2),
      { labels: { __name__: 'idle_total', code: '200' }, timestamps: times, values: [50, 50, 50] },
      // 90 of 100 searches under 2 s.
      float({ __name__: 'search_seconds_bucket', le: '1.0' }, 60),
      float({ __name__: 'search_seconds_bucket', le: '2.0' }, 90),
      float({ __name__: 'search_seconds_bucket', le: '+Inf' }, 100),
      float({ __name__: 'search_seconds_count' }, 100),
      float({ __name__: 'search_seconds_sum' }, 120),
    ];
    // After the first sample, 85 of 100 STT calls at or under 2 s, a bucket bound of the native
    // schema, and 15 at 3 s.
    const stt = await nativeHistograms(
      [
        [0.5, 3],
        [...Array(42).fill(0.5), ...Array(8).fill(3)],
        [...Array(43).fill(1.5), ...Array(7).fill(3)],
      ],
      { __name__: 'stt_seconds', operation: 'stt' },
      times,
    );
    const body = encodeRemoteWrite(series, [stt]);
    for (const base of [promUrl, vigil.url]) {
      const res = await fetch(`${base}/api/v1/write`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy' },
        body,
      });
      expect(res.status, base).toBe(204);
    }
    const expected = { checkout: 0.02, 'search-latency': 0.1, 'stt-latency': 0.15 };
    for (const window of ['5m', '1h', '30d']) {
      for (const [name, base] of [
        ['Prometheus 2.42', promUrl],
        ['vigil', vigil.url],
      ] as const) {
        const got = await until(
          `${name} to record slo:sli_error:ratio_rate${window} for three SLOs`,
          async () => {
            const r = await ratios(base, window);
            return Object.keys(r).length === 3 && r;
          },
          { timeoutMs: 20_000, context: () => (base === promUrl ? prometheus.output() : '') },
        );
        // The idle SLO's 0/0 is not recorded at all.
        expect(Object.keys(got).sort(), `${name} ${window}`).toEqual(Object.keys(expected).sort());
        for (const [slo, ratio] of Object.entries(expected))
          expect(got[slo], `${name} ${slo} ${window}`).toBeCloseTo(ratio, 9);
      }
    }
  });
});
