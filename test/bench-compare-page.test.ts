import { describe, expect, it } from 'vitest';
import { compareRows, quantities, renderComparison } from '../bench/lib/compare-page.js';

describe('bench/lib/compare-page quantities', () => {
  it('reads the figures of a summary cell in one unit per kind, without the notes in parentheses', () => {
    expect(quantities('0.97 (3.69× slower)')).toEqual([{ value: 0.97, unit: '' }]);
    expect(quantities('4.27 µs')).toEqual([{ value: 4270, unit: 'µs' }]);
    expect(quantities('1.15 ms (269×) Summary')).toEqual([{ value: 1_150_000, unit: 'ms' }]);
    expect(quantities('1,515 B')).toEqual([{ value: 1515, unit: 'B' }]);
    expect(quantities('799k / 4786k')).toEqual([
      { value: 799_000, unit: 'k' },
      { value: 4_786_000, unit: 'k' },
    ]);
    expect(quantities('n/a (no quantiles)')).toEqual([]);
  });

  it("does not take a peer's version for its figure, but a figure that follows a name is one", () => {
    expect(quantities('Prometheus 2.42 74.5 ms')).toEqual([{ value: 74_500_000, unit: 'ms' }]);
    expect(quantities('Prometheus 2.19, VictoriaMetrics 0.96')[0]).toEqual({ value: 2.19, unit: '' });
    expect(quantities('Etsy statsd 50,000')).toEqual([{ value: 50_000, unit: '' }]);
  });
});

const run = (side: string, vigil: string, prom: string, measure = 'query (ms)') => ({
  name: 'q',
  side,
  summary: [{ measure, vigil, prom }],
});

describe('bench/lib/compare-page compareRows', () => {
  it('calls a ratio worse only past the noise, over three runs a side that do not overlap', () => {
    const before = ['10 ms', '11 ms', '10 ms'].map((v) => run('before', v, '20 ms'));
    const after = ['14 ms', '13 ms', '14 ms'].map((v) => run('after', v, '20 ms'));
    const [row] = compareRows({ runs: [...before, ...after] }, ['q']);
    expect(row.withPeer).toBe(true);
    expect(row.worse).toBeCloseTo(0.4);
    expect(row.regressed).toBe(true);

    const overlapping = [...before, ...['14 ms', '10 ms', '14 ms'].map((v) => run('after', v, '20 ms'))];
    expect(compareRows({ runs: overlapping }, ['q'])[0].regressed).toBe(false);
    const once = compareRows({ runs: [before[0], after[0]] }, ['q'])[0];
    expect([once.regressed, once.recheck]).toEqual([false, true]);
  });

  it('judges the ratio, not the absolute figure, when the peer slowed down alike', () => {
    const [row] = compareRows({ runs: [run('before', '10 ms', '20 ms'), run('after', '20 ms', '40 ms')] }, [
      'q',
    ]);
    expect(row.worse).toBeCloseTo(0);
  });

  it('takes a higher throughput as better', () => {
    const rows = compareRows(
      {
        runs: [
          run('before', '80,000', '75,000', 'remote-write samples/s'),
          run('after', '60,000', '75,000', 'remote-write samples/s'),
        ],
      },
      ['q'],
    );
    expect(rows[0].worse).toBeCloseTo(80 / 60 - 1);
  });
});

describe('bench/lib/compare-page renderComparison', () => {
  it('names the commits each side ran, lists what is worse, and prints the notes under the table', () => {
    const runs = [
      ...['10 ms', '11 ms', '10 ms'].map((v) => ({
        ...run('before', v, '20 ms'),
        commit: 'aaaaaaa',
        load: '1.0',
      })),
      ...['14 ms', '13 ms', '14 ms'].map((v) => ({
        ...run('after', v, '20 ms'),
        commit: 'bbbbbbb',
        load: '2.0',
      })),
    ];
    const env = { node: 'v20', v8: '11', cpu: 'cpu', cores: 2, platform: 'linux x64', date: '2026-12-07' };
    const page = renderComparison(
      {
        before: { commit: 'aaaaaaa first' },
        after: { commit: 'bbbbbbb second' },
        env,
        runs,
        notes: { q: 'checked apart with a command' },
      },
      ['q'],
    );
    expect(page).toContain('Before: `aaaaaaa` (3 runs)');
    expect(page).toContain('After: `bbbbbbb` (3 runs)');
    expect(page).toContain('Worse beyond the noise: q (query (ms)).');
    expect(page).toContain('\nq: checked apart with a command\n');
  });
});
