import { describe, expect, it } from 'vitest';
import type { RegistrySnapshot } from '../../src/core/snapshot.js';
import { toPrometheusText } from '../../src/expo/prometheus-text.js';
import { counterPoint, histogramPoint, nastySnapshot } from './fixture.js';

function snapshotOf(metrics: RegistrySnapshot['metrics']): RegistrySnapshot {
  return { timestamp: 0, startTime: 0, scopeLabel: 'session', scopes: [], metrics };
}

describe('toPrometheusText', () => {
  it('matches the golden file for the nasty fixture', async () => {
    await expect(toPrometheusText(nastySnapshot())).toMatchFileSnapshot('./golden/nasty.prom');
  });

  it('writes HELP and TYPE for a family without points, so it is discoverable', () => {
    const text = toPrometheusText(
      snapshotOf([{ type: 'counter', name: 'jobs_total', help: 'Jobs.', unit: '', points: [] }]),
    );
    expect(text).toBe('# HELP jobs_total Jobs.\n# TYPE jobs_total counter\n');
  });

  it('leaves out an empty HELP line', () => {
    const text = toPrometheusText(snapshotOf([{ type: 'gauge', name: 'g', help: '', unit: '', points: [] }]));
    expect(text).toBe('# TYPE g gauge\n');
  });

  it('escapes HELP as the text format wants: backslash and line feed only, quotes raw', () => {
    const text = toPrometheusText(
      snapshotOf([{ type: 'gauge', name: 'g', help: 'a "b" \\ c\nd', unit: '', points: [] }]),
    );
    expect(text.split('\n')[0]).toBe('# HELP g a "b" \\\\ c\\nd');
  });

  it('writes cumulative buckets ending with +Inf = count, then _sum and _count', () => {
    const bounds = [0.1, 1];
    const text = toPrometheusText(
      snapshotOf([
        {
          type: 'histogram',
          name: 'h_seconds',
          help: 'H.',
          unit: 'seconds',
          bounds,
          quantiles: [],
          points: [histogramPoint({ a: 'x' }, bounds, [0.05, 0.5, 5])],
        },
      ]),
    );
    expect(text).toBe(
      [
        '# HELP h_seconds H.',
        '# TYPE h_seconds histogram',
        'h_seconds_bucket{a="x",le="0.1"} 1',
        'h_seconds_bucket{a="x",le="1"} 2',
        'h_seconds_bucket{a="x",le="+Inf"} 3',
        'h_seconds_sum{a="x"} 5.55',
        'h_seconds_count{a="x"} 3',
        '',
      ].join('\n'),
    );
  });

  it('writes le the way Go does, so series match those of Go exporters', () => {
    const bounds = [0.005, 1, 2.5, 100000, 1e6, 1e-7];
    const text = toPrometheusText(
      snapshotOf([
        {
          type: 'histogram',
          name: 'h',
          help: '',
          unit: '',
          bounds,
          quantiles: [],
          points: [histogramPoint({}, bounds, [])],
        },
      ]),
    );
    const les = [...text.matchAll(/le="([^"]*)"/g)].map((m) => m[1]);
    expect(les).toEqual(['0.005', '1', '2.5', '100000', '1e+06', '1e-07', '+Inf']);
  });

  it('writes non-finite values as Prometheus spells them', () => {
    const text = toPrometheusText(
      snapshotOf([
        {
          type: 'counter',
          name: 'c_total',
          help: '',
          unit: '',
          points: [
            counterPoint({ v: 'a' }, Number.NaN),
            counterPoint({ v: 'b' }, Number.POSITIVE_INFINITY),
            counterPoint({ v: 'c' }, Number.NEGATIVE_INFINITY),
          ],
        },
      ]),
    );
    expect(text).toContain('c_total{v="a"} NaN\nc_total{v="b"} +Inf\nc_total{v="c"} -Inf\n');
  });
});
