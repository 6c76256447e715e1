import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../packages/server/src/demo/seeded-random.js';
import {
  ask,
  CORPUS_T0,
  difference,
  type Outcome,
  prometheus2Query,
  useCorpusPeers,
} from './promql-corpus-cases.js';
import { PromqlQueryGenerator } from './promql-query-generator.js';

/**
 * Differential test: generated PromQL (seeded: PROMQL_DIFF_SEED, default 16; PROMQL_DIFF_QUERIES
 * queries, default 250) against Debian's Prometheus 2.42 and vigil over the same samples (the
 * corpus data, by remote write), each as an instant query at a random whole second and as a range
 * query. Answers are compared as the corpus compares them (same types and label sets, values within
 * 1e-9, or the same error type), with 2.42 asked each subquery 1 ms shorter (left-open ranges, see
 * promql-corpus-cases.ts). A query the generator marks as Prometheus 3 semantics may differ: those
 * differences are listed with their reason. A top-level topk or bottomk may keep other series among
 * equal values (each engine keeps the first in its own input order); such a difference is listed
 * only when every step holds the same values on both sides. Any other difference fails, printed
 * with the seed.
 */
const SEED = Number(process.env.PROMQL_DIFF_SEED ?? 16);
const QUERIES = Number(process.env.PROMQL_DIFF_QUERIES ?? 250);
const peers = useCorpusPeers('promql-diff');

describe(`PromQL differential: ${QUERIES} generated queries (seed ${SEED}), vigil against Prometheus 2.42`, () => {
  it('answers every query as 2.42 does, except the differences listed as Prometheus 3 semantics', async () => {
    const rnd = new SeededRandom(SEED);
    const generator = new PromqlQueryGenerator(rnd);
    const seconds = (ms: number) => String((CORPUS_T0 + ms) / 1000);
    const failures: string[] = [];
    const prometheus3 = new Map<string, string[]>();
    let comparisons = 0;
    for (let i = 0; i < QUERIES; i++) {
      const { query, prometheus3: reason, ties } = generator.next();
      const instantAt = rnd.int(10 * 60, 130 * 60) * 1000;
      const start = rnd.int(5 * 60, 60 * 60) * 1000;
      const cases = [
        {
          label: `instant @${instantAt / 1000}s`,
          path: '/api/v1/query',
          params: { time: seconds(instantAt) },
        },
        {
          label: `range from ${start / 1000}s`,
          path: '/api/v1/query_range',
          params: {
            start: seconds(start),
            end: seconds(start + rnd.int(10, 60) * 60_000),
            step: String(rnd.pick([15, 37, 60])),
          },
        },
      ];
      for (const c of cases) {
        comparisons++;
        const [prom, ours] = await Promise.all([
          ask(peers.promUrl, c.path, { ...c.params, query: prometheus2Query(query) }),
          ask(peers.vigil.url, c.path, { ...c.params, query }),
        ]);
        const tolerance = /\b(rate|increase|delta|irate|idelta|deriv)\(\(?[^()]*\[\w+:\w*\]/.test(query)
          ? 1e-4
          : undefined;
        const why = difference(prom, ours, /^sort/.test(query) && c.path === '/api/v1/query', tolerance);
        if (why === undefined) continue;
        const line = `${query} [${c.label}]: ${why.split('\n')[0]!.slice(0, 300)}`;
        const listedAs = reason ?? (ties && sameValuesAtEachStep(prom, ours) ? TIES : undefined);
        if (listedAs === undefined) failures.push(line);
        else prometheus3.set(listedAs, [...(prometheus3.get(listedAs) ?? []), line]);
      }
    }
    const listed = [...prometheus3.values()].reduce((n, l) => n + l.length, 0);
    const tied = prometheus3.get(TIES)?.length ?? 0;
    console.log(
      `PromQL differential, seed ${SEED}: ${QUERIES} queries, ${comparisons} comparisons, ` +
        `${comparisons - listed - failures.length} agreed, ${listed - tied} differ as Prometheus 3 semantics, ` +
        `${tied} by topk/bottomk ties, ${failures.length} disagreed`,
    );
    for (const [reason, lines] of prometheus3)
      console.log(
        `  ${reason === TIES ? '' : 'Prometheus 3 semantics '}(${lines.length}): ${reason}\n    e.g. ${lines[0]}`,
      );
    expect(failures).toEqual([]);
  }, 600_000);
});

const TIES =
  'ties: topk/bottomk kept other series of equal value (the first in each engine’s own input order)';

/** Both answered, and each step (or the instant) holds the same values, whatever their labels. */
function sameValuesAtEachStep(prom: Outcome, ours: Outcome): boolean {
  if (prom.kind !== 'data' || ours.kind !== 'data' || prom.resultType !== ours.resultType) return false;
  const byStep = (o: Outcome & { kind: 'data' }) => {
    const steps = new Map<number, string[]>();
    for (const s of o.result as Array<{ value?: [number, string]; values?: [number, string][] }>)
      for (const [t, v] of s.values ?? [s.value!]) steps.set(t, [...(steps.get(t) ?? []), v]);
    return JSON.stringify([...steps].sort(([a], [b]) => a - b).map(([t, vs]) => [t, vs.sort()]));
  };
  return byStep(prom) === byStep(ours);
}
