import { QuantileSketch } from '../sketch/quantile-sketch.js';
import { UsageCell } from './usage-cell.js';
import { DAY_MS, HOUR_MS, HOURS_KEPT, sumHours, type UsageStore } from './usage-store.js';

/** One provider over a span of hours, in the seed's `/api/metrics` `provider_metrics` shape. Seconds, USD. */
export interface ProviderMetrics {
  readonly requests: number;
  readonly success_rate: number;
  /** Null when no call in the span had a duration. */
  readonly average_latency: number | null;
  readonly p50_latency: number | null;
  readonly p95_latency: number | null;
  readonly p99_latency: number | null;
  /** Input + output (cached input is part of input, reasoning part of output). */
  readonly total_tokens: number;
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly cached_input_tokens: number;
  readonly reasoning_tokens: number;
  readonly total_cost: number;
  readonly cost_details: CostSplit;
  readonly cost_by_model: Readonly<Record<string, number>>;
  /** Calls per model. */
  readonly models_used: Readonly<Record<string, number>>;
  /** Failed calls per error type (`rate_limit`, `timeout`, `api_error`, `other`, or the caller's). */
  readonly error_breakdown: Readonly<Record<string, number>>;
  /** Calls no price applied to (their cost counts as 0). */
  readonly unpriced_requests: number;
}

export interface CostSplit {
  readonly input: number;
  readonly cached_input: number;
  readonly output: number;
}

export type CostTrend = 'increasing' | 'decreasing' | 'stable';

/** The seed's `cost_analytics`, and the series behind it. USD. */
export interface CostAnalytics {
  readonly total_cost_24h: number;
  readonly cost_by_provider: Readonly<Record<string, number>>;
  readonly cost_details: CostSplit;
  /** Mean over the observed part of the last 24 hours. */
  readonly cost_per_hour: number;
  readonly cost_current_hour: number;
  /** Rate of the last 24 hours against the 24 before, each per hour observed. */
  readonly cost_trend: CostTrend;
  /** The last 24 hours' rate × 24 × 30: the seed's `total_cost_24h × 30` once a day has been observed. */
  readonly projected_monthly_cost: number;
  readonly cost_30d: number;
  /** Oldest first, the current hour last. */
  readonly hourly_cost: readonly { readonly hour: string; readonly cost: number }[];
  /** Oldest first, today (UTC) last. */
  readonly daily_cost: readonly { readonly date: string; readonly cost: number }[];
  readonly unpriced_requests_24h: number;
}

/** Rounds away float noise (0.1 + 0.2) without losing a micro-dollar. */
function usd(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

function split(c: UsageCell): CostSplit {
  return { input: usd(c.costInput), cached_input: usd(c.costCachedInput), output: usd(c.costOutput) };
}

export function providerMetrics(
  store: UsageStore,
  now: number,
  hours: number,
): Record<string, ProviderMetrics> {
  const out: Record<string, ProviderMetrics> = {};
  for (const [provider, p] of store.providers) {
    const total = new UsageCell();
    const costByModel: Record<string, number> = {};
    const modelsUsed: Record<string, number> = {};
    for (const [model, m] of p.models) {
      const cell = sumHours(m, now, hours);
      if (cell.requests === 0) continue;
      total.merge(cell);
      modelsUsed[model] = cell.requests;
      costByModel[model] = usd(cell.cost);
    }
    if (total.requests === 0) continue;
    const sketch = new QuantileSketch();
    p.latency.forEach(now, hours, (s) => sketch.merge(s));
    const [p50, p95, p99] = [0.5, 0.95, 0.99].map((q) => (sketch.count > 0 ? sketch.quantile(q) : null));
    out[provider] = {
      requests: total.requests,
      success_rate: 1 - total.errors / total.requests,
      average_latency: total.timed > 0 ? total.seconds / total.timed : null,
      p50_latency: p50 ?? null,
      p95_latency: p95 ?? null,
      p99_latency: p99 ?? null,
      total_tokens: total.input + total.output,
      input_tokens: total.input,
      output_tokens: total.output,
      cached_input_tokens: total.cachedInput,
      reasoning_tokens: total.reasoning,
      total_cost: usd(total.cost),
      cost_details: split(total),
      cost_by_model: costByModel,
      models_used: modelsUsed,
      error_breakdown: Object.fromEntries(total.errorTypes ?? []),
      unpriced_requests: total.unpriced,
    };
  }
  return out;
}

export function costAnalytics(store: UsageStore, now: number, tolerance: number): CostAnalytics {
  const hourly = new Array<number>(HOURS_KEPT).fill(0);
  const daily = new Array<number>(30).fill(0);
  const last24 = new UsageCell();
  const byProvider: Record<string, number> = {};
  let previous = 0;
  for (const [provider, p] of store.providers) {
    let providerCost = 0;
    for (const m of p.models.values()) {
      m.hours.forEach(now, HOURS_KEPT, (cell, age) => {
        hourly[HOURS_KEPT - 1 - age]! += cell.cost;
        if (age < 24) {
          last24.merge(cell);
          providerCost += cell.cost;
        } else previous += cell.cost;
      });
      m.days.forEach(now, 30, (cell, age) => {
        daily[29 - age]! += cell.cost;
      });
    }
    if (providerCost > 0) byProvider[provider] = usd(providerCost);
  }
  const total24 = last24.cost;
  // The 24 hourly cells cover 23 whole hours and the current one so far; the rate is per hour
  // observed, at least one, so that a first expensive call does not project an absurd month.
  const hourStart = Math.floor(now / HOUR_MS) * HOUR_MS;
  const windowStart = hourStart - 23 * HOUR_MS;
  const since = store.first ?? now;
  const observed = Math.max(HOUR_MS, now - Math.max(windowStart, since)) / HOUR_MS;
  const perHour = total24 / observed;
  const previousObserved = Math.max(0, windowStart - Math.max(windowStart - 24 * HOUR_MS, since)) / HOUR_MS;
  const today = Math.floor(now / DAY_MS);
  return {
    total_cost_24h: usd(total24),
    cost_by_provider: byProvider,
    cost_details: split(last24),
    cost_per_hour: usd(perHour),
    cost_current_hour: usd(hourly[HOURS_KEPT - 1]!),
    cost_trend: trendOf(perHour, previousObserved >= 1 ? previous / previousObserved : undefined, tolerance),
    projected_monthly_cost: usd(perHour * 24 * 30),
    cost_30d: usd(daily.reduce((a, b) => a + b, 0)),
    hourly_cost: hourly.slice(24).map((cost, i) => ({
      hour: new Date(hourStart - (23 - i) * HOUR_MS).toISOString(),
      cost: usd(cost),
    })),
    daily_cost: daily.map((cost, i) => ({
      date: new Date((today - 29 + i) * DAY_MS).toISOString().slice(0, 10),
      cost: usd(cost),
    })),
    unpriced_requests_24h: last24.unpriced,
  };
}

/** Stable while under an hour of the previous day was observed: there is nothing to compare with. */
function trendOf(current: number, previous: number | undefined, tolerance: number): CostTrend {
  if (previous === undefined) return 'stable';
  if (previous === 0) return current > 0 ? 'increasing' : 'stable';
  const ratio = current / previous;
  return ratio > 1 + tolerance ? 'increasing' : ratio < 1 - tolerance ? 'decreasing' : 'stable';
}
