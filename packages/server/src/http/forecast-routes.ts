import type { Clock } from '@vigil/metrics';
import { parseDuration } from '../config/duration.js';
import { runOut } from '../figures/run-out.js';
import { parsePromql } from '../query/parse.js';
import type { QueryEngine } from '../query/query-engine.js';
import { HttpError } from './http-error.js';
import { sendJson } from './respond.js';
import type { Router } from './router.js';

export interface ForecastRoutesOptions {
  readonly engine: QueryEngine;
  readonly clock: Clock;
}

/**
 * `GET /api/forecasts/run-out?selector=&window=6h`: when each series of a selector (free disk
 * bytes, a quota's remainder) reaches zero at the slope of the window, soonest first.
 */
export function forecastRoutes(router: Router, options: ForecastRoutesOptions): void {
  router.on('GET', '/api/forecasts/run-out', async ({ res, url }) => {
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
        `selector: got ${JSON.stringify(selector)}, expected a series selector such as vigil_system_disk_free_bytes{path="/"}`,
      );
    const window = url.searchParams.get('window') ?? '6h';
    const ms = parseDuration(window);
    if (ms === undefined || ms < 60_000 || !/^\d+[smhdw]$/.test(window))
      throw new HttpError(
        'VIGIL_BAD_REQUEST',
        `window: got "${window}", expected a duration such as 6h or 7d`,
      );
    const now = options.clock.now();
    const forecasts = await runOut(options.engine, selector, window, now);
    sendJson(res, 200, {
      selector,
      window,
      forecasts: forecasts.map((f) => ({
        labels: f.labels,
        remaining: f.remaining,
        slope_per_second: f.slopePerSecond,
        seconds: f.seconds,
        at: new Date(now + f.seconds * 1000).toISOString(),
        text: f.text,
      })),
    });
  });
}
