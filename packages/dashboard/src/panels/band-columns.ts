import type { Labels, MatrixSeries } from '../prometheus-types.js';
import { type AlignedSeries, labelKey } from './aligned-series.js';

/** One anomaly band on a chart: the columns of its edges, and the column it is drawn around. */
export interface BandPair {
  /** Index in the chart's data columns (AlignedSeries.ys) of the series the band belongs to. */
  readonly of: number;
  readonly lower: (number | null)[];
  readonly upper: (number | null)[];
}

/**
 * The band edges (`s:band_lower`, `s:band_upper` range results) of the charted series, on the
 * chart's time axis. A series' edges are those with its labels: with `s`'s name in place of the
 * edge's when `s` is charted by name, without a name when its expression is charted. A column
 * that stands for several series ("others") gets none.
 */
export function bandColumns(
  data: AlignedSeries,
  lower: readonly MatrixSeries[],
  upper: readonly MatrixSeries[],
  series: string,
): BandPair[] {
  const index = new Map(data.xs.map((t, i) => [t, i]));
  const onAxis = (found: MatrixSeries | undefined) => {
    const column: (number | null)[] = new Array(data.xs.length).fill(null);
    for (const [t, v] of found?.values ?? []) {
      const i = index.get(t);
      const value = Number(v);
      if (i !== undefined && Number.isFinite(value)) column[i] = value;
    }
    return column;
  };
  const find = (edges: readonly MatrixSeries[], member: string) =>
    edges.find((e) => keysOf(e.metric, series).includes(member));
  const pairs: BandPair[] = [];
  for (const [of, members] of data.members.entries()) {
    if (members.length !== 1) continue;
    const low = find(lower, members[0]!);
    const high = find(upper, members[0]!);
    if (low && high) pairs.push({ of, lower: onAxis(low), upper: onAxis(high) });
  }
  return pairs;
}

function keysOf(edge: Labels, series: string): string[] {
  const { __name__: _, ...labels } = edge;
  return [labelKey(labels), labelKey({ ...labels, __name__: series })];
}
