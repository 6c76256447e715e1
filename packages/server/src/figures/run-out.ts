import type { QueryEngine } from '../query/query-engine.js';
import type { VectorSample } from '../query/query-result.js';

type SeriesLabels = VectorSample['metric'];

/** When one series (free disk bytes, a quota's remainder) reaches zero if it keeps its slope. */
export interface RunOut {
  readonly labels: SeriesLabels;
  /** The fitted value now (what is left). */
  readonly remaining: number;
  /** Slope per second over the window (negative: falling). */
  readonly slopePerSecond: number;
  readonly seconds: number;
  /** "~9 days", "~5 hours", "~40 minutes". */
  readonly text: string;
}

/**
 * Plain PromQL for the seconds until each series of `selector` reaches zero: the least-squares line
 * over `window` that `predict_linear` and `deriv` fit, continued to zero; only series that fall. It
 * runs as it is in Prometheus, in an alert (`< 7 * 86400`) or a recording rule.
 */
export function runOutQuery(selector: string, window: string): string {
  return `(predict_linear(${selector}[${window}], 0) / -deriv(${selector}[${window}])) and (deriv(${selector}[${window}]) < 0)`;
}

/**
 * The series of `selector` that fall, soonest first. Assumes the window's straight line goes on:
 * a disk filled by steady writes is forecast well; one filled in bursts (a nightly backup) needs a
 * window spanning several bursts, or the forecast swings with each.
 */
export async function runOut(
  engine: QueryEngine,
  selector: string,
  window: string,
  now: number,
): Promise<RunOut[]> {
  const [seconds, remaining, slope] = await Promise.all([
    engine.instantQuery(runOutQuery(selector, window), now),
    engine.instantQuery(`predict_linear(${selector}[${window}], 0)`, now),
    engine.instantQuery(`deriv(${selector}[${window}])`, now),
  ]);
  const byLabels = (result: typeof seconds) => {
    const out = new Map<string, number>();
    if (result.resultType === 'vector') for (const s of result.result) out.set(key(s.metric), s.value);
    return out;
  };
  const left = byLabels(remaining);
  const slopes = byLabels(slope);
  if (seconds.resultType !== 'vector') return [];
  return seconds.result
    .filter((s) => Number.isFinite(s.value) && s.value >= 0)
    .map((s) => ({
      labels: s.metric,
      remaining: left.get(key(s.metric)) ?? Number.NaN,
      slopePerSecond: slopes.get(key(s.metric)) ?? Number.NaN,
      seconds: s.value,
      text: approximately(s.value),
    }))
    .sort((a, b) => a.seconds - b.seconds);
}

function key(labels: SeriesLabels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** "~9 days": a forecast is not precise, so neither is its wording. */
export function approximately(seconds: number): string {
  if (seconds < 3600) return `~${Math.max(1, Math.round(seconds / 60))} minutes`;
  if (seconds < 2 * 86_400) return `~${Math.round(seconds / 3600)} hours`;
  return `~${Math.round(seconds / 86_400)} days`;
}
