import type { CounterHandle } from '../core/counter.js';
import type { HistogramHandle } from '../core/histogram.js';
import { QuantileSketch } from '../sketch/quantile-sketch.js';
import type { LatencyThreshold } from './latency-config.js';

/** Statistics of one operation type, or of one type and provider. Times in milliseconds; NaN when empty. */
export interface OperationStats {
  readonly count: number;
  readonly success: number;
  readonly errors: number;
  readonly timeouts: number;
  /** (errors + timeouts) / count: the share of calls that did not succeed. */
  readonly errorRate: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/**
 * Everything the tracker keeps for one (operation type, provider) pair, resolved once so that a
 * wrapped function records without a lookup: the latency sketch, counts per status, the threshold,
 * the registry handles per status (made on first use) and the alert cooldown state. A pair past the
 * tracker's `maxOperations` keeps its own threshold but records its statistics into the shared
 * overflow entry, `stats`.
 */
export class OperationEntry {
  readonly type: string;
  readonly provider: string;
  readonly threshold: LatencyThreshold | undefined;
  readonly sketch = new QuantileSketch();
  /** Per status: success, error, timeout. */
  readonly counts = new Float64Array(3);
  readonly durations: Array<HistogramHandle | undefined> = [undefined, undefined, undefined];
  readonly totals: Array<CounterHandle | undefined> = [undefined, undefined, undefined];
  /** Per level (warning, critical): when the last event went out, and how many were held back since. */
  readonly lastAlert = new Float64Array([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]);
  readonly suppressed = new Float64Array(2);
  /** Where the sketch, counts and registry handles are kept: this entry, or the overflow entry. */
  readonly stats: OperationEntry;

  constructor(
    type: string,
    provider: string,
    threshold: LatencyThreshold | undefined,
    stats?: OperationEntry,
  ) {
    this.type = type;
    this.provider = provider;
    this.threshold = threshold;
    this.stats = stats ?? this;
  }

  reset(): void {
    this.sketch.reset();
    this.counts.fill(0);
    this.lastAlert.fill(Number.NEGATIVE_INFINITY);
    this.suppressed.fill(0);
  }
}

export interface OperationTypeStats extends OperationStats {
  readonly providers: Readonly<Record<string, OperationStats>>;
}

/** Per operation type (across its providers), with each provider's own statistics; empty entries left out. */
export function statsByType(entries: readonly OperationEntry[]): Record<string, OperationTypeStats> {
  const groups = new Map<string, OperationEntry[]>();
  for (const entry of entries) {
    if (entry.sketch.count === 0) continue;
    const list = groups.get(entry.type);
    if (list) list.push(entry);
    else groups.set(entry.type, [entry]);
  }
  const out: Record<string, OperationTypeStats> = {};
  for (const [type, group] of groups) {
    const providers: Record<string, OperationStats> = {};
    for (const entry of group) providers[entry.provider] = statsOf([entry]);
    out[type] = { ...statsOf(group), providers };
  }
  return out;
}

const QUANTILES = [0.5, 0.95, 0.99];

/** The statistics of several entries taken together (one type across its providers). */
export function statsOf(entries: readonly OperationEntry[]): OperationStats {
  let sketch: QuantileSketch;
  if (entries.length === 1) sketch = entries[0]!.sketch;
  else {
    sketch = new QuantileSketch();
    for (const entry of entries) sketch.merge(entry.sketch);
  }
  let success = 0;
  let errors = 0;
  let timeouts = 0;
  for (const entry of entries) {
    success += entry.counts[0]!;
    errors += entry.counts[1]!;
    timeouts += entry.counts[2]!;
  }
  const count = success + errors + timeouts;
  const q = [Number.NaN, Number.NaN, Number.NaN];
  sketch.quantiles(QUANTILES, q);
  const empty = sketch.count === 0;
  return {
    count,
    success,
    errors,
    timeouts,
    errorRate: count === 0 ? Number.NaN : (errors + timeouts) / count,
    mean: sketch.mean,
    min: empty ? Number.NaN : sketch.min,
    max: empty ? Number.NaN : sketch.max,
    p50: q[0]!,
    p95: q[1]!,
    p99: q[2]!,
  };
}
