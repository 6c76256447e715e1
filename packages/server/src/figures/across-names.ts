import { promqlString } from '../query/format-promql.js';
import { parsePromql } from '../query/parse.js';
import type { QueryEngine } from '../query/query-engine.js';

/**
 * The longest any figure reads back: the month-end forecast's 32 days. A name seen only before
 * then is in none of their windows.
 */
const LOOKBACK = '32d';

/** Holds each name's series apart until the figure's own aggregation folds them. */
const APART = 'vigil_metric_name';

/**
 * The metric names `selector` matches with a sample in the last 32 days: each app's
 * `<prefix>_llm_cost_usd_total` for `{__name__=~".+_llm_cost_usd_total"}`, sorted.
 */
export async function metricNames(engine: QueryEngine, selector: string, now: number): Promise<string[]> {
  // last_over_time keeps the name, as a selector does (every other range function drops it).
  const data = await engine.instantQuery(
    `group by (__name__) (last_over_time(${selector}[${LOOKBACK}]))`,
    now,
  );
  if (data.resultType !== 'vector') return [];
  return data.result.map((s) => s.metric.__name__ ?? '').sort();
}

/**
 * PromQL for `perSeries` over what `selector` matches, run over each of its metric `names` apart.
 * `increase()` and `timestamp()` drop a series' name, so over two apps' cost counters that share
 * their labels (`chat_llm_cost_usd_total{provider="openai"}` and
 * `search_llm_cost_usd_total{provider="openai"}`) one expression is refused: "vector cannot
 * contain metrics with the same labelset". Each name's answer is labelled with the name, so that
 * `or` keeps both; the caller's `sum by`/`min` folds them. Under two names it is the one expression.
 */
export function acrossNames(
  selector: string,
  names: readonly string[],
  perSeries: (selector: string) => string,
): string {
  if (names.length < 2) return perSeries(selector);
  const parsed = parsePromql(selector);
  // perSeries appends a range to what it is given, which an offset or @ would have to follow.
  if (
    parsed.kind !== 'vectorSelector' ||
    parsed.offsetMs !== 0 ||
    parsed.offsetExpr !== undefined ||
    parsed.at !== undefined
  )
    throw new Error(`acrossNames: ${JSON.stringify(selector)} is not a series selector without offset or @`);
  // One more matcher narrows the selector to one name and keeps the others.
  return names
    .map((name) => {
      const one = promqlString({
        ...parsed,
        matchers: [{ name: '__name__', type: '=', value: name }, ...parsed.matchers],
      });
      return `label_replace(${perSeries(one)}, "${APART}", ${JSON.stringify(name)}, "", "")`;
    })
    .join(' or ');
}
