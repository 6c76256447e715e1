import type { Clock } from '@vigil/metrics';
import { parseDuration } from '../config/duration.js';
import type { QueryEngine } from '../query/query-engine.js';
import { badRequest } from './http-error.js';
import { parseTime, requestParams } from './params.js';
import { queryJsonPaced } from './query-json.js';
import { sendJsonBytes } from './respond.js';
import type { Router } from './router.js';

export interface QueryRouteOptions {
  readonly engine: QueryEngine;
  readonly clock: Clock;
  readonly bodyLimit: number;
}

/**
 * Prometheus's query API, `GET|POST /api/v1/query` and `/api/v1/query_range`, with its parameters
 * (`query`, `time`, `start`, `end`, `step`, `timeout`), envelope and error types, so Grafana's
 * Prometheus data source and scripts written for Prometheus work against vigil.
 */
export function queryRoutes(router: Router, { engine, clock, bodyLimit }: QueryRouteOptions): void {
  router.on(['GET', 'POST'], '/api/v1/query', async (ctx) => {
    const params = await requestParams(ctx, bodyLimit);
    const time = parseTime(params.get('time'), clock.now(), 'time');
    sendJsonBytes(
      ctx.res,
      200,
      await queryJsonPaced(await engine.instantQuery(required(params), time, timeoutOf(params))),
    );
  });

  router.on(['GET', 'POST'], '/api/v1/query_range', async (ctx) => {
    const params = await requestParams(ctx, bodyLimit);
    const start = parseTime(params.get('start'), Number.NaN, 'start');
    const end = parseTime(params.get('end'), Number.NaN, 'end');
    if (Number.isNaN(start)) throw badRequest('invalid parameter "start": a start time is required');
    if (Number.isNaN(end)) throw badRequest('invalid parameter "end": an end time is required');
    if (end < start) throw badRequest('invalid parameter "end": end timestamp must not be before start time');
    const step = parseDuration(params.get('step') ?? '');
    if (step === undefined || step <= 0) {
      throw badRequest(
        'invalid parameter "step": zero or negative query resolution step widths are not accepted',
      );
    }
    if ((end - start) / step > 11_000) {
      throw badRequest(
        'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
      );
    }
    const data = await engine.rangeQuery(required(params), start, end, step, timeoutOf(params));
    sendJsonBytes(ctx.res, 200, await queryJsonPaced(data));
  });
}

function required(params: URLSearchParams): string {
  const query = params.get('query');
  if (!query) throw badRequest('invalid parameter "query": a query is required');
  return query;
}

function timeoutOf(params: URLSearchParams): { timeoutMs?: number } {
  const text = params.get('timeout');
  if (text === null) return {};
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0)
    throw badRequest(`invalid parameter "timeout": cannot parse "${text}" to a duration`);
  return { timeoutMs: ms };
}
