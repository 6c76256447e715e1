import { percentileQuery } from '../query/percentile-query.js';
import type { QueryEngine } from '../query/query-engine.js';
import type { VectorSample } from '../query/query-result.js';
import { acrossNames, metricNames } from './across-names.js';
import { ACTIVE_SESSIONS } from './active-sessions.js';
import { type MonthEndCostForecast, monthEndCostForecast } from './cost-forecast.js';
import { averageDuration, errorRate, failedRequests, NOW_WINDOW, requests } from './requests.js';
import { dataSpan, spanRate } from './span-rate.js';

/** The seed's `provider_metrics` entry, from stored GenAI series. Seconds, USD. */
export interface FleetProvider {
  readonly requests: number;
  readonly success_rate: number | null;
  readonly average_latency: number | null;
  readonly p50_latency: number | null;
  readonly p95_latency: number | null;
  readonly p99_latency: number | null;
  readonly total_tokens: number;
  readonly total_cost: number;
  readonly models_used: Readonly<Record<string, number>>;
  readonly error_breakdown: Readonly<Record<string, number>>;
}

/** The orchestrator seed's `GET /api/metrics`, over what vigil has stored from the services it watches. */
export interface FleetMetrics {
  readonly timestamp: string;
  readonly period: 'last_24h';
  readonly system_metrics: {
    readonly total_requests: number;
    readonly successful_requests: number;
    readonly failed_requests: number;
    readonly success_rate: number | null;
    /** Seconds. */
    readonly average_response_time: number | null;
    /** Over the last NOW_WINDOW (5 minutes). */
    readonly requests_per_minute: number;
    /** Failed requests / requests over the last NOW_WINDOW (5 minutes); 0 without requests. */
    readonly error_rate: number;
    readonly peak_rps: number;
    readonly targets_up: number;
    readonly targets_total: number;
  };
  readonly provider_metrics: Readonly<Record<string, FleetProvider>>;
  readonly session_metrics: { readonly active_sessions: number };
  readonly cost_analytics: {
    readonly total_cost_24h: number;
    readonly cost_by_provider: Readonly<Record<string, number>>;
    readonly cost_today: number;
    /** The last 12 hours against the 12 before, ±10%. */
    readonly cost_trend: 'increasing' | 'decreasing' | 'stable';
    /** USD per hour over the last hour, or over the part of it that holds data. */
    readonly cost_per_hour: number;
    /**
     * Cost per hour over the last 24 hours (or the part that holds data), times 24 × 30; null under
     * an hour of data, which a straight line to a month's end would only magnify.
     */
    readonly projected_monthly_cost: number | null;
    /** Seconds of data the projection is based on: 86400 once a day of cost is stored. */
    readonly projection_basis_seconds: number;
    /** The month's cost at its end, with a range; none with less than 7 days of history. */
    readonly month_end_forecast: MonthEndCostForecast;
  };
  readonly alerts_firing: number;
}

/** The least data a monthly projection is made from: a fresh install's first minutes are not a month. */
const PROJECTION_ENOUGH_S = 3600;
const GENAI = 'gen_ai_client_operation_duration_seconds';
const PROVIDER = 'gen_ai_provider_name';
// One metric an instrumented app: each names its counters after itself (`chat_llm_cost_usd_total`).
const COST = '{__name__=~".+_llm_cost_usd_total"}';
const TOKENS = '{__name__=~".+_llm_tokens_total"}';

export async function fleetMetrics(engine: QueryEngine, now: number): Promise<FleetMetrics> {
  const q = (expr: string) => vector(engine, expr, now);
  const one = async (expr: string) => (await q(expr))[0]?.value ?? 0;
  const optional = async (expr: string) => finite((await q(expr))[0]?.value);
  const by = async (expr: string, label: string) => {
    const out: Record<string, number> = {};
    for (const { metric, value } of await q(expr)) out[metric[label] ?? ''] = value;
    return out;
  };
  const [costNames, tokenNames] = await Promise.all([
    metricNames(engine, COST, now),
    metricNames(engine, TOKENS, now),
  ]);
  // Summed by `by` over every app's counter: increase() drops the name, which alone told two apps'
  // series with the same labels apart.
  const increase = (selector: string, names: readonly string[], range: string, by = '', offset = '') =>
    `sum${by && ` by (${by})`} (${acrossNames(selector, names, (s) => `increase(${s}[${range}]${offset && ` offset ${offset}`})`)})`;
  const midnight = now - (now % 86_400_000);
  const todayS = Math.max(60, Math.floor((now - midnight) / 1000));
  const [
    total,
    failed,
    averageResponse,
    perMinute,
    errorsNow,
    peak,
    targets,
    targetsUp,
    sessions,
    firing,
    providers,
    providerErrors,
    providerSum,
    quantiles,
    models,
    errors,
    tokens,
    cost,
    costToday,
    costRecent,
    costBefore,
    costPerHour,
    costPerDay,
    costBasis,
    monthEnd,
  ] = await Promise.all([
    one(requests('24h')),
    one(failedRequests('24h')),
    optional(averageDuration('24h')),
    one(`(${requests(NOW_WINDOW, 'rate')}) * 60`),
    optional(errorRate(NOW_WINDOW)),
    one(`max_over_time((${requests('1m', 'rate')})[24h:5m])`),
    one('count(up)'),
    one('count(up == 1)'),
    one(ACTIVE_SESSIONS),
    one('count(ALERTS{alertstate="firing"})'),
    by(`sum by (${PROVIDER}) (increase(${GENAI}_count[24h]))`, PROVIDER),
    by(`sum by (${PROVIDER}) (increase(${GENAI}_count{error_type!=""}[24h]))`, PROVIDER),
    by(`sum by (${PROVIDER}) (increase(${GENAI}_sum[24h]))`, PROVIDER),
    Promise.all(
      [0.5, 0.95, 0.99].map((p) => by(percentileQuery(p, GENAI, '24h', { by: [PROVIDER] }), PROVIDER)),
    ),
    q(`sum by (${PROVIDER}, gen_ai_request_model) (increase(${GENAI}_count[24h]))`),
    q(`sum by (${PROVIDER}, error_type) (increase(${GENAI}_count{error_type!=""}[24h]))`),
    by(increase(TOKENS, tokenNames, '24h', 'provider'), 'provider'),
    by(increase(COST, costNames, '24h', 'provider'), 'provider'),
    one(increase(COST, costNames, `${todayS}s`)),
    one(increase(COST, costNames, '12h')),
    one(increase(COST, costNames, '12h', '', '12h')),
    one(`${spanRate(COST, '1h', '', costNames)} * 3600`),
    one(`${spanRate(COST, '1d', '', costNames)} * 86400`),
    one(dataSpan(COST, '1d', costNames)),
    monthEndCostForecast(one, COST, now, costNames),
  ]);
  const provider_metrics: Record<string, FleetProvider> = {};
  const names = new Set([...Object.keys(providers), ...Object.keys(tokens), ...Object.keys(cost)]);
  for (const name of [...names].sort()) {
    const requests = providers[name] ?? 0;
    const per = (rows: readonly VectorSample[], label: string) => {
      const out: Record<string, number> = {};
      for (const { metric, value } of rows)
        if (metric[PROVIDER] === name) out[metric[label] ?? ''] = Math.round(value);
      return out;
    };
    provider_metrics[name] = {
      requests: Math.round(requests),
      success_rate: requests > 0 ? 1 - (providerErrors[name] ?? 0) / requests : null,
      average_latency: requests > 0 ? (providerSum[name] ?? 0) / requests : null,
      p50_latency: finite(quantiles[0]?.[name]),
      p95_latency: finite(quantiles[1]?.[name]),
      p99_latency: finite(quantiles[2]?.[name]),
      total_tokens: Math.round(tokens[name] ?? 0),
      total_cost: cost[name] ?? 0,
      models_used: per(models, 'gen_ai_request_model'),
      error_breakdown: per(errors, 'error_type'),
    };
  }
  const total24h = Object.values(cost).reduce((a, b) => a + b, 0);
  return {
    timestamp: new Date(now).toISOString(),
    period: 'last_24h',
    system_metrics: {
      // increase() extrapolates to the window's edges: a count is a whole number of requests.
      total_requests: Math.round(total),
      successful_requests: Math.round(total) - Math.round(failed),
      failed_requests: Math.round(failed),
      success_rate: total > 0 ? 1 - failed / total : null,
      average_response_time: averageResponse,
      requests_per_minute: perMinute,
      error_rate: errorsNow ?? 0,
      peak_rps: peak,
      targets_up: targetsUp,
      targets_total: targets,
    },
    provider_metrics,
    session_metrics: { active_sessions: sessions },
    cost_analytics: {
      total_cost_24h: total24h,
      cost_by_provider: cost,
      cost_today: costToday,
      cost_trend:
        costRecent > costBefore * 1.1
          ? 'increasing'
          : costRecent < costBefore * 0.9
            ? 'decreasing'
            : 'stable',
      cost_per_hour: costPerHour,
      projected_monthly_cost: costBasis >= PROJECTION_ENOUGH_S ? costPerDay * 30 : null,
      projection_basis_seconds: Math.round(costBasis),
      month_end_forecast: monthEnd,
    },
    alerts_firing: firing,
  };
}

/** The seed's `/api/metrics/mobile`: what a phone screen shows. */
export function mobileView(fleet: FleetMetrics, status: string) {
  const providers = Object.entries(fleet.provider_metrics).sort(([, a], [, b]) => b.requests - a.requests);
  const s = fleet.system_metrics;
  return {
    status,
    active_sessions: fleet.session_metrics.active_sessions,
    requests_per_minute: s.requests_per_minute,
    error_rate: s.error_rate,
    top_provider: providers[0]?.[1].requests ? providers[0][0] : null,
    cost_today: fleet.cost_analytics.cost_today,
    alerts_count: fleet.alerts_firing,
  };
}

async function vector(engine: QueryEngine, expr: string, now: number) {
  const data = await engine.instantQuery(expr, now);
  if (data.resultType !== 'vector') return [];
  return data.result;
}

function finite(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}
