import type { Clock } from '@vigil/metrics';
import { formatApiValue } from '../query/format-value.js';
import type { SeriesStore } from '../store/series-store.js';
import { badRequest } from './http-error.js';
import { parseMatchers, requestParams, timeRange } from './params.js';
import { sendData } from './respond.js';
import type { Router } from './router.js';

export interface ReadRouteOptions {
  readonly store: SeriesStore;
  readonly clock: Clock;
  /** Most samples one raw read may return. */
  readonly maxSamples: number;
  /** Most bytes of a POSTed form (`match[]`, `start`, `end` in the body, as Grafana sends them). */
  readonly bodyLimit: number;
}

/** Prometheus's default `end` for series and labels is the end of time, not now: samples may carry later timestamps. */
const ALL_TIME_END = 8_640_000_000_000_000;

/**
 * The Prometheus metadata API (`/api/v1/series`, `/labels`, `/label/<name>/values`) and a raw range
 * read (`/api/v1/read_raw`, the samples as stored, in the `matrix` shape of query_range) that serves
 * the dashboard until PromQL arrives.
 */
export function readRoutes(router: Router, { store, clock, maxSamples, bodyLimit }: ReadRouteOptions): void {
  router.on(['GET', 'POST'], '/api/v1/series', async (ctx) => {
    const params = await requestParams(ctx, bodyLimit);
    const matchers = parseMatchers(params, true);
    const [start, end] = timeRange(params, ALL_TIME_END);
    sendData(ctx.res, await store.series(matchers, start, end));
  });

  router.on(['GET', 'POST'], '/api/v1/labels', async (ctx) => {
    const params = await requestParams(ctx, bodyLimit);
    const [start, end] = timeRange(params, ALL_TIME_END);
    sendData(ctx.res, await store.labelNames(parseMatchers(params, false), start, end));
  });

  router.on('GET', '/api/v1/label/:name/values', async ({ res, url, params }) => {
    const name = params.name!;
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) throw badRequest(`invalid label name: "${name}"`);
    const [start, end] = timeRange(url.searchParams, ALL_TIME_END);
    sendData(res, await store.labelValues(name, parseMatchers(url.searchParams, false), start, end));
  });

  router.on('GET', '/api/v1/read_raw', async ({ res, url }) => {
    const matchers = parseMatchers(url.searchParams, true);
    if (matchers.length !== 1) throw badRequest('read_raw takes exactly one match[] selector');
    const now = clock.now();
    const [start, end] = timeRange(url.searchParams, now);
    const series = await store.select(matchers[0]!, start || now - 3_600_000, end, { maxSamples });
    sendData(res, {
      resultType: 'matrix',
      result: series.map((s) => ({
        metric: s.labels,
        values: Array.from(s.timestamps, (t, i) => [t / 1000, formatApiValue(s.values[i]!)]),
      })),
    });
  });
}
