import { type MatrixSeries, parseApiNumber } from '../prometheus-types.js';

/**
 * A heatmap's cells: one column per step, one row per bucket, each the observations per second
 * that fell in that bucket then. Rows are drawn with equal heights, so `edges` (ascending, one more
 * than the rows) say what each row spans: classic buckets as they are (`le` bounds), native
 * histograms re-binned onto rows of equal width on a log scale.
 */
export interface HeatmapGrid {
  /** Unix seconds of each column. */
  readonly xs: readonly number[];
  readonly edges: readonly number[];
  /** Row-major by column: `cells[column * rows + row]`. */
  readonly cells: Float64Array;
  readonly rows: number;
  readonly max: number;
  readonly source: 'native' | 'classic';
}

/** Native buckets are re-binned onto this many rows (fewer when the data spans less). */
const NATIVE_ROWS = 24;
/** At most this many rows per factor of ten: finer than the data says nothing more. */
const ROWS_PER_DECADE = 8;

/**
 * The grid of a range query's result: native histograms (the `histograms` field, summed across
 * series) if it holds any, else classic buckets (one series per `le`, counts cumulative, as
 * `sum by (le) (rate(x_bucket[…]))` gives them). Undefined when the result holds neither.
 */
export function heatmapGrid(series: readonly MatrixSeries[]): HeatmapGrid | undefined {
  if (series.some((s) => (s.histograms?.length ?? 0) > 0)) return nativeGrid(series);
  if (series.some((s) => s.metric.le !== undefined && (s.values?.length ?? 0) > 0))
    return classicGrid(series);
  return undefined;
}

interface Bucket {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
}

function nativeGrid(series: readonly MatrixSeries[]): HeatmapGrid | undefined {
  const byTime = new Map<number, Bucket[]>();
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  for (const s of series) {
    for (const [t, h] of s.histograms ?? []) {
      const list = byTime.get(t) ?? [];
      byTime.set(t, list);
      for (const [, lower, upper, count] of h.buckets ?? []) {
        const b = { lower: parseApiNumber(lower), upper: parseApiNumber(upper), count: Number(count) };
        // The zero bucket and negative buckets have no place on a log scale; latencies and sizes have none.
        if (!(b.lower > 0) || !(b.count > 0)) continue;
        list.push(b);
        lo = Math.min(lo, b.lower);
        hi = Math.max(hi, b.upper);
      }
    }
  }
  if (!(hi > 0) || !Number.isFinite(lo)) return undefined;
  const decades = Math.log10(hi / lo);
  const rows = Math.max(1, Math.min(NATIVE_ROWS, Math.ceil(decades * ROWS_PER_DECADE)));
  const edges = Array.from({ length: rows + 1 }, (_, i) => lo * (hi / lo) ** (i / rows));
  edges[rows] = hi;
  const xs = [...byTime.keys()].sort((a, b) => a - b);
  const cells = new Float64Array(xs.length * rows);
  const logLo = Math.log(lo);
  const rowWidth = (Math.log(hi) - logLo) / rows;
  xs.forEach((t, column) => {
    for (const b of byTime.get(t)!) {
      // A bucket's count spread over the rows it overlaps, in proportion to the overlap in log space.
      const a = snap((Math.log(b.lower) - logLo) / rowWidth);
      const z = snap((Math.log(b.upper) - logLo) / rowWidth);
      if (z <= a) {
        cells[column * rows + Math.min(rows - 1, Math.max(0, Math.floor(a)))]! += b.count;
        continue;
      }
      for (let row = Math.max(0, Math.floor(a)); row < Math.min(rows, Math.ceil(z)); row++) {
        const overlap = Math.min(z, row + 1) - Math.max(a, row);
        if (overlap > 0) cells[column * rows + row]! += (b.count * overlap) / (z - a);
      }
    }
  });
  return { xs, edges, cells, rows, max: maxOf(cells), source: 'native' };
}

function classicGrid(series: readonly MatrixSeries[]): HeatmapGrid | undefined {
  // Cumulative counts per bound, summed across series that share an `le` (other labels ignored).
  const cumulative = new Map<number, Map<number, number>>();
  for (const s of series) {
    const le = parseApiNumber(s.metric.le ?? 'NaN');
    if (Number.isNaN(le)) continue;
    const byTime = cumulative.get(le) ?? new Map<number, number>();
    cumulative.set(le, byTime);
    for (const [t, v] of s.values ?? []) {
      const value = Number(v);
      if (Number.isFinite(value)) byTime.set(t, (byTime.get(t) ?? 0) + value);
    }
  }
  const bounds = [...cumulative.keys()].sort((a, b) => a - b);
  if (bounds.length === 0) return undefined;
  const xs = [...new Set(bounds.flatMap((le) => [...cumulative.get(le)!.keys()]))].sort((a, b) => a - b);
  const rows = bounds.length;
  const cells = new Float64Array(xs.length * rows);
  xs.forEach((t, column) => {
    let below = 0;
    bounds.forEach((le, row) => {
      const at = cumulative.get(le)!.get(t);
      if (at === undefined) return;
      // Cumulative counts only grow with `le`; a dip (series missing at this step) is not a negative bucket.
      cells[column * rows + row] = Math.max(0, at - below);
      below = Math.max(below, at);
    });
  });
  // Row i spans (bound i-1, bound i]; the first starts at 0 (at -Inf when the bounds go negative).
  const edges = [bounds[0]! > 0 ? 0 : Number.NEGATIVE_INFINITY, ...bounds];
  return { xs, edges, cells, rows, max: maxOf(cells), source: 'classic' };
}

/** A position a rounding error away from a row edge is on it, so no crumb of a count leaks into the next row. */
function snap(position: number): number {
  const edge = Math.round(position);
  return Math.abs(position - edge) < 1e-9 ? edge : position;
}

function maxOf(cells: Float64Array): number {
  let max = 0;
  for (const c of cells) if (c > max) max = c;
  return max;
}
