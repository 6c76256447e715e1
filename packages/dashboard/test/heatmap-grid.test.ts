import { describe, expect, it } from 'vitest';
import { heatmapGrid } from '../src/panels/heatmap-grid.js';
import type { HistogramValue, MatrixSeries } from '../src/prometheus-types.js';

const classic = (le: string, points: [number, number][]): MatrixSeries => ({
  metric: { le },
  values: points.map(([t, v]) => [t, String(v)] as const),
});

const native = (points: [number, [number, number, number][]][]): MatrixSeries => ({
  metric: {},
  histograms: points.map(([t, buckets]) => {
    const value: HistogramValue = {
      count: String(buckets.reduce((n, [, , c]) => n + c, 0)),
      sum: '0',
      buckets: buckets.map(
        ([lower, upper, count]) => [0, String(lower), String(upper), String(count)] as const,
      ),
    };
    return [t, value] as const;
  }),
});

describe('heatmapGrid', () => {
  it('turns cumulative classic buckets into per-bucket rates, a row per le', () => {
    const grid = heatmapGrid([
      classic('0.1', [
        [100, 2],
        [110, 1],
      ]),
      classic('0.5', [
        [100, 5],
        [110, 1],
      ]),
      classic('+Inf', [
        [100, 6],
        [110, 4],
      ]),
    ])!;
    expect(grid.source).toBe('classic');
    expect(grid.xs).toEqual([100, 110]);
    expect(grid.edges).toEqual([0, 0.1, 0.5, Number.POSITIVE_INFINITY]);
    expect([...grid.cells]).toEqual([2, 3, 1, 1, 0, 3]);
    expect(grid.max).toBe(3);
  });

  it('sums classic series that share an le (several instances) before differencing', () => {
    const grid = heatmapGrid([
      classic('1', [[100, 1]]),
      classic('1', [[100, 2]]),
      classic('+Inf', [[100, 4]]),
      classic('+Inf', [[100, 5]]),
    ])!;
    expect([...grid.cells]).toEqual([3, 6]);
  });

  it('re-bins native buckets onto log-spaced rows, spreading a bucket by its overlap in log space', () => {
    // 0.001 to 1 is three decades: 24 rows of 1/8 decade each.
    const grid = heatmapGrid([
      native([
        [
          100,
          [
            [0.001, 0.01, 8],
            [0.1, 1, 16],
          ],
        ],
      ]),
    ])!;
    expect(grid.source).toBe('native');
    expect(grid.rows).toBe(24);
    expect(grid.edges[0]).toBeCloseTo(0.001, 12);
    expect(grid.edges[8]).toBeCloseTo(0.01, 12);
    expect(grid.edges[24]).toBe(1);
    const cells = [...grid.cells];
    // Each decade's count spread evenly over its eight rows; the decade between holds nothing.
    for (let row = 0; row < 8; row++) expect(cells[row]).toBeCloseTo(1, 9);
    for (let row = 8; row < 16; row++) expect(cells[row]).toBe(0);
    for (let row = 16; row < 24; row++) expect(cells[row]).toBeCloseTo(2, 9);
    expect(cells.reduce((a, b) => a + b, 0)).toBeCloseTo(24, 9);
  });

  it('keeps every native observation: counts per column add up to the histograms’ counts', () => {
    const grid = heatmapGrid([
      native([
        [
          100,
          [
            [0.0105, 0.011, 3],
            [0.25, 0.2621, 5],
          ],
        ],
        [110, [[0.5, 0.5242, 7]]],
      ]),
      native([[110, [[0.0105, 0.011, 1]]]]),
    ])!;
    expect(grid.xs).toEqual([100, 110]);
    const column = (c: number) =>
      [...grid.cells.subarray(c * grid.rows, (c + 1) * grid.rows)].reduce((a, b) => a + b, 0);
    expect(column(0)).toBeCloseTo(8, 9);
    expect(column(1)).toBeCloseTo(8, 9);
    expect(grid.edges[grid.rows]).toBeCloseTo(0.5242, 12);
  });

  it('ignores zero and negative buckets, and gives nothing for a result of plain floats', () => {
    expect(heatmapGrid([{ metric: { job: 'a' }, values: [[100, '1']] }])).toBeUndefined();
    const grid = heatmapGrid([
      native([
        [
          100,
          [
            [-1e-128, 1e-128, 4],
            [1, 2, 2],
          ],
        ],
      ]),
    ])!;
    expect([...grid.cells].reduce((a, b) => a + b, 0)).toBeCloseTo(2, 9);
  });
});
