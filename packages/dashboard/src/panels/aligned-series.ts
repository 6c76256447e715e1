import { legendOf } from '../legend.js';
import type { Labels, MatrixSeries } from '../prometheus-types.js';

/** Series from several queries on one time axis, as uPlot takes them: `[xs, ys1, ys2, ...]`. */
export interface AlignedSeries {
  readonly xs: number[];
  readonly ys: (number | null)[][];
  readonly names: string[];
  /** Label-set keys, to find a series again when live samples arrive. */
  readonly keys: string[];
}

export const labelKey = (labels: Labels) =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');

/** Joins the results of each query (with its legend template) on the union of their timestamps. */
export function alignSeries(
  results: readonly { series: readonly MatrixSeries[]; legend?: string }[],
): AlignedSeries {
  const times = new Set<number>();
  for (const { series } of results) for (const s of series) for (const [t] of s.values) times.add(t);
  const xs = [...times].sort((a, b) => a - b);
  const index = new Map(xs.map((t, i) => [t, i]));
  const ys: (number | null)[][] = [];
  const names: string[] = [];
  const keys: string[] = [];
  for (const { series, legend } of results) {
    for (const s of series) {
      const column: (number | null)[] = new Array(xs.length).fill(null);
      for (const [t, v] of s.values) {
        const n = Number(v);
        column[index.get(t)!] = Number.isFinite(n) ? n : null;
      }
      ys.push(column);
      names.push(legendOf(s.metric, legend));
      keys.push(labelKey(s.metric));
    }
  }
  return { xs, ys, names, keys };
}
