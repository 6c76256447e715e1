import type { CounterPoint, CounterSnapshot } from './snapshot.js';

/**
 * A counter family's series as columns, in the order of its points: each series' label block in
 * the two parts of core/points.ts (`heads[i]`, and `leaves[i]`, or null when the head is the whole
 * block) and its value. A snapshot of 100,000 counter series made 100,000 point objects that lived
 * until the text was written: the young generation copied all of them, about half the time of a
 * 100,000-series exposition (bench/exposition.js under `node --cpu-prof --trace-gc`). Columns are
 * a few arrays: the blocks are the label index's own (`LabelIndex.blocks()`), kept from one
 * snapshot to the next, and the values one Float64Array.
 */
export class SeriesColumns {
  readonly heads: readonly string[];
  /** Undefined when every head is a whole block (a cluster's merged series). */
  readonly leaves: readonly (string | null)[] | undefined;
  readonly values: Float64Array;

  constructor(
    heads: readonly string[],
    leaves: readonly (string | null)[] | undefined,
    values: Float64Array,
  ) {
    this.heads = heads;
    this.leaves = leaves;
    this.values = values;
  }
}

/** The columns a snapshot was made from, until its points are read or replaced. */
const lent = new WeakMap<object, SeriesColumns>();

/**
 * A counter snapshot whose `points` are made from `columns` (by `point(i)`) on first read, and kept:
 * a reader of points sees plain data as before (spread, JSON and structured clone read the
 * property like any other). The text formats read the columns instead (`columnsOf`).
 */
export function counterSnapshot(
  family: { readonly name: string; readonly help: string; readonly unit: string },
  columns: SeriesColumns,
  point: (i: number) => CounterPoint,
): CounterSnapshot {
  const snapshot = { name: family.name, help: family.help, unit: family.unit, type: 'counter' as const };
  const keep = (target: object, points: readonly CounterPoint[]) => {
    lent.delete(target);
    Object.defineProperty(target, 'points', {
      value: points,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  };
  Object.defineProperty(snapshot, 'points', {
    enumerable: true,
    configurable: true,
    get(this: object) {
      const points: CounterPoint[] = new Array(columns.values.length);
      for (let i = 0; i < points.length; i++) points[i] = point(i);
      keep(this, points);
      return points;
    },
    set(this: object, points: readonly CounterPoint[]) {
      keep(this, points);
    },
  });
  lent.set(snapshot, columns);
  return snapshot as CounterSnapshot;
}

/**
 * The columns of a snapshot `counterSnapshot` made, while they are still what its points hold;
 * undefined for any other snapshot (a copy, a plain object, one whose points were read).
 */
export function columnsOf(metric: object): SeriesColumns | undefined {
  return lent.get(metric);
}
