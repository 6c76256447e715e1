import { legendOf } from '../legend.js';
import type { Labels, MatrixSeries } from '../prometheus-types.js';

/** Series from several queries on one time axis, as uPlot takes them: `[xs, ys1, ys2, ...]`. */
export interface AlignedSeries {
  readonly xs: number[];
  readonly ys: (number | null)[][];
  readonly names: string[];
  /** The label-set keys each column draws (several for "others"), to place live samples. */
  readonly members: string[][];
  /** How the members of a column are combined: "others" of rates add up, of latencies not. */
  readonly combine: Combine;
}

export type Combine = 'sum' | 'max';

export interface AlignOptions {
  /** Seconds between the points of a range query: a longer stretch without one is a gap. */
  readonly step: number;
  /** Past this many series, the largest `limit - 1` are drawn and the rest folded into "others". */
  readonly limit?: number;
  readonly combine?: Combine;
}

export const labelKey = (labels: Labels) =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');

/** `values` combined: their sum or their maximum, null when none is known. */
export function combineValues(values: readonly (number | null | undefined)[], how: Combine): number | null {
  let out: number | null = null;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    out = out === null ? v : how === 'sum' ? out + v : Math.max(out, v);
  }
  return out;
}

/**
 * Joins the results of each query (with its legend template) on the union of their timestamps.
 * Where no series has a point for longer than 1.5 steps, a point of nulls is put in between, so
 * the chart shows a gap instead of a line across the hours nothing was recorded.
 */
export function alignSeries(
  results: readonly { series: readonly MatrixSeries[]; legend?: string }[],
  { step, limit = Number.POSITIVE_INFINITY, combine = 'sum' }: AlignOptions,
): AlignedSeries {
  const times = new Set<number>();
  for (const { series } of results) for (const s of series) for (const [t] of s.values ?? []) times.add(t);
  const xs = withGaps(
    [...times].sort((a, b) => a - b),
    step,
  );
  const index = new Map(xs.map((t, i) => [t, i]));
  let columns: { y: (number | null)[]; name: string; members: string[]; rank: number }[] = [];
  for (const { series, legend } of results) {
    for (const s of series) {
      const y: (number | null)[] = new Array(xs.length).fill(null);
      let sum = 0;
      let n = 0;
      for (const [t, v] of s.values ?? []) {
        const value = Number(v);
        if (!Number.isFinite(value)) continue;
        y[index.get(t)!] = value;
        sum += Math.abs(value);
        n++;
      }
      columns.push({
        y,
        name: legendOf(s.metric, legend),
        members: [labelKey(s.metric)],
        rank: n ? sum / n : 0,
      });
    }
  }
  if (columns.length > limit) {
    const ranked = [...columns].sort((a, b) => b.rank - a.rank);
    const kept = new Set(ranked.slice(0, limit - 1));
    const rest = columns.filter((c) => !kept.has(c));
    const others = {
      y: xs.map((_, i) =>
        combineValues(
          rest.map((c) => c.y[i]),
          combine,
        ),
      ),
      name: `others (${rest.length}, ${combine})`,
      members: rest.flatMap((c) => c.members),
      rank: 0,
    };
    columns = [...columns.filter((c) => kept.has(c)), others];
  }
  return {
    xs,
    ys: columns.map((c) => c.y),
    names: columns.map((c) => c.name),
    members: columns.map((c) => c.members),
    combine,
  };
}

/** `xs` with a timestamp put between any two points more than 1.5 steps apart. */
function withGaps(xs: number[], step: number): number[] {
  const out: number[] = [];
  for (const [i, x] of xs.entries()) {
    const before = xs[i - 1];
    if (before !== undefined && x - before > step * 1.5) out.push((before + x) / 2);
    out.push(x);
  }
  return out;
}
