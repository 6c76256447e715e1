import { describe, expect, it } from 'vitest';
import {
  ask,
  CORPUS_INSTANT_TIMES,
  CORPUS_T0,
  corpus,
  corpusCases,
  difference,
  type GoldenCase,
  key,
  useCorpusPeers,
  writeGolden,
} from './promql-corpus-cases.js';

/**
 * Debian's Prometheus 2.42 and vigil receive the same samples by remote write (explicit
 * timestamps), then every query of promql-corpus.txt runs against both, as instant queries at
 * several times and as range queries, and the answers must agree: same result type, same label
 * sets, values within 1e-9 relative (NaN equal to NaN), or the same error type. Prometheus's
 * answers are written to promql-corpus.golden.jsonl, against which `npm test` checks vigil offline
 * (test/promql-golden.test.ts): this tier refreshes them. How 2.42 is asked what Prometheus 3
 * answers (left-open ranges) is in promql-corpus-cases.ts.
 */
const peers = useCorpusPeers('promql-compat');

describe('PromQL: vigil answers as Prometheus 2.42 on the same samples', () => {
  it(`agrees on all ${corpus.length} queries of the corpus, instant and range, and refreshes the golden answers`, async () => {
    const disagreements: string[] = [];
    const golden: GoldenCase[] = [];
    for (const c of corpusCases()) {
      const [prom, ours] = await Promise.all([
        ask(peers.promUrl, c.path, { ...c.params, query: c.asked ?? c.query }),
        ask(peers.vigil.url, c.path, { ...c.params }),
      ]);
      golden.push({ ...c, answer: prom });
      const why = difference(prom, ours, c.ordered, c.tolerance);
      if (why !== undefined) disagreements.push(`${c.query} [${c.label}]: ${why}`);
    }
    writeGolden(golden);
    console.log(
      `PromQL corpus: ${corpus.length} queries, ${golden.length} comparisons, ${golden.length - disagreements.length} agreed, ${disagreements.length} disagreed`,
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
      for (const time of CORPUS_INSTANT_TIMES) {
        const params = { time: String(time) };
        const [prom, ours] = await Promise.all([
          ask(peers.promUrl, '/api/v1/query', { ...params, query: `holt_winters(${args})` }),
          ask(peers.vigil.url, '/api/v1/query', {
            ...params,
            query: `double_exponential_smoothing(${args})`,
          }),
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
  const s = (ms: number) => String((CORPUS_T0 + ms) / 1000);
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
        [peers.promUrl, peers.vigil.url].map(async (base) => {
          const res = await fetch(`${base}${path}?${query}`);
          return canonical(((await res.json()) as { data: unknown }).data);
        }),
      );
      expect(answers[0]!.length).toBeGreaterThan(0);
      expect(answers[1]).toEqual(answers[0]);
      if (!path.startsWith('/api/v1/label/')) {
        const res = await fetch(`${peers.vigil.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: query,
        });
        expect(canonical(((await res.json()) as { data: unknown }).data)).toEqual(answers[0]);
      }
    });
  }
});
