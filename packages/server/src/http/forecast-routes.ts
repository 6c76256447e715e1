import type { Clock } from '@vigil/metrics';
import { metricNames } from '../figures/across-names.js';
import { monthEndCostForecast } from '../figures/cost-forecast.js';
import { DEFAULT_MAX_DAYS } from '../figures/daily-spending.js';
import { approximately, runOut } from '../figures/run-out.js';
import { promqlString } from '../query/format-promql.js';
import { parsePromql } from '../query/parse.js';
import type { QueryEngine } from '../query/query-engine.js';
import { HttpError } from './http-error.js';
import { sendJson } from './respond.js';
import type { Router } from './router.js';

export interface ForecastRoutesOptions {
  readonly engine: QueryEngine;
  readonly clock: Clock;
}

/** The furthest time from 1970 a Date holds, in milliseconds (ECMA-262 21.4.1.1). */
const MAX_DATE_MS = 8.64e15;

/**
 * `GET /api/forecasts/run-out?selector=&window=28d`: when each series of a selector (free disk
 * bytes, a quota's remainder) reaches zero, spent as over the last days (at most `window`), soonest
 * first; and which series have less than a day stored to tell.
 * `GET /api/forecasts/month-end?selector=`: a cost counter's total at the end of the month, with
 * its range, or `not_enough_history` (the dashboard's Cost page shows it).
 */
export function forecastRoutes(router: Router, options: ForecastRoutesOptions): void {
  router.on('GET', '/api/forecasts/month-end', async ({ res, url }) => {
    const selector = seriesSelector(url, 'vigil_llm_cost_usd_total');
    const now = options.clock.now();
    const one = async (expr: string) => {
      const data = await options.engine.instantQuery(expr, now);
      return data.resultType === 'vector' ? (data.result[0]?.value ?? 0) : 0;
    };
    const names = await metricNames(options.engine, selector, now);
    sendJson(res, 200, { selector, ...(await monthEndCostForecast(one, selector, now, names)) });
  });

  router.on('GET', '/api/forecasts/run-out', async ({ res, url }) => {
    const selector = seriesSelector(url, 'vigil_system_disk_free_bytes{path="/"}');
    const window = url.searchParams.get('window') ?? `${DEFAULT_MAX_DAYS}d`;
    const match = /^(\d+)([dw])$/.exec(window);
    const maxDays = match ? Number(match[1]) * (match[2] === 'w' ? 7 : 1) : 0;
    // Whole days, so that the daily rhythm cancels; at most a year of history read.
    if (maxDays < 1 || maxDays > 366)
      throw new HttpError(
        'VIGIL_BAD_REQUEST',
        `window: got "${window}", expected whole days from 1d to 366d, such as 28d or 4w`,
      );
    const now = options.clock.now();
    const { series, forecasts, notEnoughHistory } = await runOut(options.engine, selector, maxDays, now);
    // A series that barely falls runs out in millions of years, past the last moment a Date can name
    // (year 275760): its seconds still say when, its moments are null rather than a RangeError.
    const iso = (seconds: number) => {
      const t = now + seconds * 1000;
      return Math.abs(t) <= MAX_DATE_MS ? new Date(t).toISOString() : null;
    };
    sendJson(res, 200, {
      selector,
      window,
      series,
      forecasts: forecasts.map((f) => ({
        labels: f.labels,
        remaining: f.remaining,
        slope_per_second: f.slopePerSecond,
        days_averaged: f.daysAveraged,
        seconds: f.seconds,
        at: iso(f.seconds),
        text: f.text,
        earliest: iso(f.earliestSeconds),
        latest: f.latestSeconds === null ? null : iso(f.latestSeconds),
        earliest_text: approximately(f.earliestSeconds),
        latest_text: f.latestSeconds === null ? null : approximately(f.latestSeconds),
      })),
      not_enough_history: notEnoughHistory.map((n) => ({
        labels: n.labels,
        history_seconds: n.historySeconds,
      })),
    });
  });
}

/**
 * The `selector` parameter, refused unless it is a series selector reading now (`example` shows
 * one).
 */
function seriesSelector(url: URL, example: string): string {
  const selector = url.searchParams.get('selector') ?? '';
  let parsed: ReturnType<typeof parsePromql> | undefined;
  try {
    parsed = parsePromql(selector);
  } catch {
    parsed = undefined;
  }
  if (parsed?.kind !== 'vectorSelector')
    throw new HttpError(
      'VIGIL_BAD_REQUEST',
      `selector: got ${JSON.stringify(selector)}, expected a series selector such as ${example}`,
    );
  // The figures read their own windows back from now; a shifted selector would not take a range.
  if (parsed.offsetMs !== 0 || parsed.offsetExpr !== undefined || parsed.at !== undefined)
    throw new HttpError(
      'VIGIL_BAD_REQUEST',
      `selector: got ${JSON.stringify(selector)}, expected no offset or @ modifier: the forecast reads back from now`,
    );
  // In its canonical form, which the figures' PromQL takes whatever spacing or `offset 0s` it was given with.
  return promqlString(parsed);
}
