/** A figure over the period and over the one before it; NaN where there was no data. */
export interface Figure {
  readonly current: number;
  readonly previous: number;
}

/** How a column's numbers read: ratios change in points, everything else in percent. */
export type Unit = 'ratio' | 'seconds' | 'count' | 'usd' | 'duration';

export interface Column {
  readonly key: string;
  readonly title: string;
  readonly unit: Unit;
}

export interface ReportRow {
  readonly labels: Readonly<Record<string, string>>;
  readonly figures: Readonly<Record<string, Figure>>;
  /** The section's trend column over the period, in equal steps (NaN where there was no data). */
  readonly trend?: readonly number[];
}

export interface ReportSection {
  readonly id: string;
  readonly title: string;
  /** Label names that name a row (provider, operation, ...). */
  readonly keys: readonly string[];
  readonly columns: readonly Column[];
  readonly rows: readonly ReportRow[];
  /** The column whose course over the period the rows' `trend` holds. */
  readonly trendColumn?: string;
  /** What the section's figures need said: why it has no row, what a "–" stands for. */
  readonly note?: string;
}

/** A report over `[startMs, endMs]`, every figure beside the same figure over the period before. */
export interface Report {
  readonly startMs: number;
  readonly endMs: number;
  readonly periodMs: number;
  readonly sections: readonly ReportSection[];
  /** Titles of the sections left out because the store held none of their metrics in either period. */
  readonly withoutData: readonly string[];
}

/** The change from previous to current: points for ratios, percent otherwise; undefined when either is missing. */
export function change(figure: Figure, unit: Unit): { value: number; unit: 'pts' | '%' } | undefined {
  const { current, previous } = figure;
  if (!Number.isFinite(current) || !Number.isFinite(previous)) return undefined;
  if (unit === 'ratio') return { value: (current - previous) * 100, unit: 'pts' };
  if (previous === 0) return current === 0 ? { value: 0, unit: '%' } : undefined;
  return { value: ((current - previous) / Math.abs(previous)) * 100, unit: '%' };
}
