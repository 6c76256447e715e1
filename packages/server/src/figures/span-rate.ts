import { acrossNames } from './across-names.js';

/**
 * PromQL for "how fast does this counter grow", per second, over the last `window` or over the part
 * of it that holds data, whichever is shorter. `rate(x[1h])` divides by the whole hour even when the
 * series is ten minutes old (Prometheus extrapolates at most half a scrape interval past the first
 * sample), so a fresh install read $3.02/h against a chart at $19/h. Here each series' increase is
 * divided by the seconds since its first sample in the window (found by a subquery of at most 1440
 * steps; at least one minute), which is the window itself once the data is older than it.
 *
 * `selector` is a series selector (`vigil_llm_cost_usd_total{provider="openai"}`), `by` the labels
 * kept (`provider, model`) or empty for one total; `names` the metric names it matches when they
 * may be several (across-names.ts).
 */
export function spanRate(selector: string, window: string, by = '', names: readonly string[] = []): string {
  const step = resolution(window);
  const perSeries = (s: string) =>
    `increase(${s}[${window}]) / clamp(time() - min_over_time(timestamp(${s})[${window}:${step}s]) + ${step / 2}, 60, ${windowSeconds(window)})`;
  return `sum${by ? ` by (${by})` : ''} (${acrossNames(selector, names, perSeries)})`;
}

/**
 * PromQL for the seconds of data the window holds for `selector`: what a figure computed with
 * spanRate is based on ("projected from the last 2 h").
 */
export function dataSpan(selector: string, window: string, names: readonly string[] = []): string {
  const step = resolution(window);
  const first = acrossNames(selector, names, (s) => `min_over_time(timestamp(${s})[${window}:${step}s])`);
  return `clamp(time() - min(${first}) + ${step / 2}, 60, ${windowSeconds(window)})`;
}

/**
 * Seconds between the steps of the subquery that finds a series' first sample: 15, or coarser past
 * 1440 steps. The first step that sees the series falls anywhere up to a step after its first
 * sample, so half a step is added back.
 */
function resolution(window: string): number {
  return Math.max(15, Math.ceil(windowSeconds(window) / 1440));
}

const UNIT_S: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

function windowSeconds(window: string): number {
  const match = /^(\d+)([smhdw])$/.exec(window);
  if (!match) throw new Error(`spanRate: window "${window}" is not a duration such as 5m, 1h or 1d`);
  return Number(match[1]) * UNIT_S[match[2]!]!;
}
