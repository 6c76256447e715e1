import { describe, expect, it } from 'vitest';
import { Registry } from '../../src/core/registry.js';
import type { RegistrySnapshot } from '../../src/core/snapshot.js';
import { toOpenMetrics } from '../../src/expo/openmetrics.js';
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

  it("writes a registry's series as their labels say, past the lines it flattens at once", () => {
    // 20,000 series: past 16,384 lines the text is flattened every 1,024 (text-rope.ts); values to escape,
    // Unicode, empty values inside and last, a label-less counter and the overflow series.
    const registry = new Registry({ maxSeriesPerMetric: 20_000 });
    const counter = registry.counter({ name: 'r_total', help: 'R.', labelNames: ['a', 'b', 'c'] });
    const expected: string[] = [];
    const escaped = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
    const pairs = (labels: Record<string, string>) =>
      Object.entries(labels)
        .filter(([, v]) => v !== '')
        .map(([k, v]) => `${k}="${escaped(v)}"`)
        .join(',');
    const values = ['', 'x', 'q"\\\n', 'ü🦄'];
    let n = 0;
    for (const a of values)
      for (const b of values)
        for (let i = 0; n < 20_000; i++, n++) {
          if (i === 1_250) break;
          const labels = { a, b, c: i === 0 ? '' : `/item/${i}${values[i % 4]}` };
          counter.inc(labels, n);
        }
    counter.inc({ a: 'over', b: 'the', c: 'cap' }, 5);
    const bare = registry.counter({ name: 'bare_total', help: 'B.' });
    bare.inc(2);
    const snapshot = registry.snapshotSync();
    const [blocks, fromLabels]: string[][] = [[], []];
    for (const metric of snapshot.metrics) {
      if (metric.type === 'histogram') continue;
      for (const point of metric.points) {
        const block = pairs(point.labels);
        blocks.push(point.block);
        fromLabels.push(block);
        expected.push(`${metric.name}${block === '' ? '' : `{${block}}`} ${point.value}`);
      }
    }
    expect(blocks).toEqual(fromLabels);
    expect(expected.length).toBeGreaterThan(20_000);
    const sampleLines = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    // Written from the points read above, and from fresh snapshots whose points were never read:
    // those write from the counter's columns (core/series-columns.ts).
    expect(sampleLines(toPrometheusText(snapshot))).toEqual(expected);
    expect(sampleLines(toOpenMetrics(snapshot))).toEqual(expected);
    expect(sampleLines(toPrometheusText(registry.snapshotSync()))).toEqual(expected);
    expect(sampleLines(toOpenMetrics(registry.snapshotSync()))).toEqual(expected);
  });

  it("writes the series a counter snapshot's points say, once they are read or replaced", () => {
    const registry = new Registry();
    const counter = registry.counter({ name: 'c_total', help: 'C.', labelNames: ['k'] });
    counter.inc({ k: 'a' }, 1);
    counter.inc({ k: 'b"' }, 2);
    const snapshot = registry.snapshotSync();
    const family = snapshot.metrics[0]!;
    // Taken before the counter moves on: the snapshot keeps what it was.
    counter.inc({ k: 'a' }, 10);
    counter.inc({ k: 'new' }, 1);
    const lines = 'c_total{k="a"} 1\nc_total{k="b\\""} 2\n';
    expect(toPrometheusText(snapshot)).toContain(lines);
    // Spread, JSON and structured clone see the points as a plain property.
    const points = [
      { block: 'k="a"', labels: { k: 'a' }, value: 1 },
      { block: 'k="b\\""', labels: { k: 'b"' }, value: 2 },
    ];
    expect({ ...family }.points).toMatchObject(points);
    expect(JSON.parse(JSON.stringify(family)).points).toMatchObject(points);
    expect(structuredClone({ ...family }).points).toHaveLength(2);
    expect(family.points.map((p) => p.value)).toEqual([1, 2]);
    expect(toPrometheusText(snapshot)).toContain(lines);
    // Points put in their place are what is written.
    (family as { points: unknown }).points = [{ labels: { k: 'z' }, block: 'k="z"', value: 7 }];
    expect(toPrometheusText(snapshot)).toContain('# TYPE c_total counter\nc_total{k="z"} 7\n');
  });
});
