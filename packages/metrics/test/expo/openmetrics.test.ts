import { describe, expect, it } from 'vitest';
import type { RegistrySnapshot } from '../../src/core/snapshot.js';
import { toOpenMetrics } from '../../src/expo/openmetrics.js';
import { counterPoint, histogramPoint, nastySnapshot } from './fixture.js';

function snapshotOf(metrics: RegistrySnapshot['metrics']): RegistrySnapshot {
  return { timestamp: 0, startTime: 0, scopeLabel: 'session', scopes: [], metrics };
}

describe('toOpenMetrics', () => {
  it('matches the golden file for the nasty fixture', async () => {
    await expect(toOpenMetrics(nastySnapshot())).toMatchFileSnapshot('./golden/nasty.om.txt');
  });

  it('ends with # EOF even when there is nothing to expose', () => {
    expect(toOpenMetrics(snapshotOf([]))).toBe('# EOF\n');
  });

  it('names a counter family without _total and its samples with it, metadata as TYPE, UNIT, HELP', () => {
    const text = toOpenMetrics(
      snapshotOf([
        {
          type: 'counter',
          name: 'cpu_seconds_total',
          help: 'CPU.',
          unit: 'seconds',
          points: [counterPoint({}, 4.5)],
        },
        { type: 'counter', name: 'requests', help: '', unit: '', points: [counterPoint({ a: 'b' }, 1)] },
      ]),
    );
    expect(text).toBe(
      [
        '# TYPE cpu_seconds counter',
        '# UNIT cpu_seconds seconds',
        '# HELP cpu_seconds CPU.',
        'cpu_seconds_total 4.5',
        '# TYPE requests counter',
        'requests_total{a="b"} 1',
        '# EOF',
        '',
      ].join('\n'),
    );
  });

  it('omits a UNIT that is not the suffix of the family name, as the spec forbids that', () => {
    const text = toOpenMetrics(
      snapshotOf([{ type: 'gauge', name: 'queue_depth', help: '', unit: 'items', points: [] }]),
    );
    expect(text).toBe('# TYPE queue_depth gauge\n# EOF\n');
  });

  it('escapes quotes in HELP, which OpenMetrics requires and the text format does not', () => {
    const text = toOpenMetrics(
      snapshotOf([{ type: 'gauge', name: 'g', help: 'a "b" \\ c\nd', unit: '', points: [] }]),
    );
    expect(text).toContain('# HELP g a \\"b\\" \\\\ c\\nd\n');
  });

  it('writes le in the canonical form of the spec (1.0, 100000.0, 1e+06)', () => {
    const bounds = [0.005, 1, 10, 100000, 1e6];
    const text = toOpenMetrics(
      snapshotOf([
        {
          type: 'histogram',
          name: 'h',
          help: '',
          unit: '',
          bounds,
          quantiles: [],
          points: [histogramPoint({}, bounds, [2])],
        },
      ]),
    );
    const les = [...text.matchAll(/le="([^"]*)"/g)].map((m) => m[1]);
    expect(les).toEqual(['0.005', '1.0', '10.0', '100000.0', '1e+06', '+Inf']);
    expect(text).toContain('h_sum 2\nh_count 1\n');
  });
});
