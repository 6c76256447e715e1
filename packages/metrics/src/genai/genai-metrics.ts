import { type Clock, systemClock } from '../base/clock.js';
import { invalidOption } from '../base/errors.js';
import { checkMetricName } from '../base/names.js';
import type { Counter } from '../core/counter.js';
import type { Histogram } from '../core/histogram.js';
import type { Registry } from '../core/registry.js';
import { errorTypeOf } from './error-type.js';
import {
  type CostAnalytics,
  costAnalytics,
  type ProviderMetrics,
  providerMetrics,
} from './genai-analytics.js';
import { type CostDetails, type ModelPrice, PriceTable } from './price-table.js';
import { type SessionCost, SessionCosts } from './session-costs.js';
import { HOURS_KEPT, UsageStore } from './usage-store.js';

/** OpenTelemetry's advised buckets for `gen_ai.client.operation.duration`: 0.01 s doubling to 81.92 s. */
export const GENAI_DURATION_BUCKETS: readonly number[] = Array.from({ length: 14 }, (_, i) => 0.01 * 2 ** i);
/** OpenTelemetry's advised buckets for `gen_ai.client.token.usage`: 1, 4, 16, ... 4^13. */
export const GENAI_TOKEN_BUCKETS: readonly number[] = Array.from({ length: 14 }, (_, i) => 4 ** i);

/** One call to a model. Token counts follow OpenTelemetry: input includes cached input, output includes reasoning. */
export interface GenAiCall {
  /** `gen_ai.provider.name`: `openai`, `anthropic`, `gcp.gemini`, ... */
  readonly provider: string;
  /** `gen_ai.request.model`. */
  readonly model: string;
  /** `gen_ai.operation.name`. Default `chat`. */
  readonly operation?: string;
  readonly durationMs: number;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly cachedInputTokens?: number;
  readonly reasoningTokens?: number;
  /** Set when the call failed: an error (classified by `errorTypeOf`) or the error type itself. */
  readonly error?: unknown;
  /** Adds the call to this session's total. */
  readonly sessionId?: string;
}

export interface GenAiMetricsOptions {
  /** Where the histograms and counters go; analytics work without one. */
  readonly registry?: Registry;
  /** Prefix of `<prefix>_llm_tokens_total` and `<prefix>_llm_cost_usd_total`. Default `vigil`. */
  readonly prefix?: string;
  /** Default: the registry's, else the system clock. Decides hourly and daily buckets and prices. */
  readonly clock?: Clock;
  /** Versioned prices. Without one, calls are counted as unpriced (no prices ship: they change monthly). */
  readonly prices?: PriceTable | readonly ModelPrice[];
  /** Provider/model pairs kept for analytics; calls to more go under model `other`. Default 200. */
  readonly maxModels?: number;
  /** Sessions whose totals are kept, the least recently active dropped first. Default 10,000. */
  readonly maxSessions?: number;
  /** Relative change of the hourly cost rate under which the trend is `stable`. Default 0.1. */
  readonly trendTolerance?: number;
}

interface Instruments {
  readonly duration: Histogram;
  readonly tokenUsage: Histogram;
  readonly tokens: Counter;
  readonly cost: Counter;
}

/**
 * Calls to LLM providers: OpenTelemetry's GenAI client histograms, token and cost counters, and the
 * LLM-orchestrator seed's `provider_metrics` and `cost_analytics` over the last hours and days.
 */
export class GenAiMetrics {
  readonly prices: PriceTable;
  readonly #clock: Clock;
  readonly #instruments: Instruments | undefined;
  readonly #store: UsageStore;
  readonly #sessions: SessionCosts;
  readonly #tolerance: number;

  constructor(options: GenAiMetricsOptions = {}) {
    this.#clock = options.clock ?? options.registry?.clock ?? systemClock;
    const prefix = checkMetricName(options.prefix ?? 'vigil', 'prefix');
    this.prices =
      options.prices instanceof PriceTable ? options.prices : new PriceTable(options.prices ?? []);
    const maxModels = options.maxModels ?? 200;
    if (!Number.isInteger(maxModels) || maxModels < 1) {
      throw invalidOption('maxModels', maxModels, 'an integer of at least 1');
    }
    const maxSessions = options.maxSessions ?? 10_000;
    if (!Number.isInteger(maxSessions) || maxSessions < 0) {
      throw invalidOption('maxSessions', maxSessions, 'an integer of at least 0');
    }
    this.#tolerance = options.trendTolerance ?? 0.1;
    if (!(this.#tolerance >= 0 && this.#tolerance < 1)) {
      throw invalidOption('trendTolerance', options.trendTolerance, 'a ratio from 0 up to 1');
    }
    this.#store = new UsageStore(maxModels);
    this.#sessions = new SessionCosts(maxSessions);
    this.#instruments = options.registry && instruments(options.registry, prefix);
  }

  /** Records one call and returns its cost, or undefined when no price applied. Never throws. */
  record(call: GenAiCall): CostDetails | undefined {
    const now = this.#clock.now();
    const provider = name(call?.provider);
    const model = name(call?.model);
    const operation = typeof call?.operation === 'string' && call.operation !== '' ? call.operation : 'chat';
    const input = count(call?.inputTokens);
    const output = count(call?.outputTokens);
    const cachedInput = count(call?.cachedInputTokens);
    const reasoning = count(call?.reasoningTokens);
    const errorType = errorTypeOf(call?.error);
    const ms = call?.durationMs;
    const seconds =
      typeof ms === 'number' && ms >= 0 && ms < Number.POSITIVE_INFINITY ? ms / 1000 : undefined;
    const cost = this.prices.cost(provider, model, { input, cachedInput, output }, now);
    this.#store.add(
      provider,
      model,
      { seconds, errorType, input, output, cachedInput, reasoning, cost },
      now,
    );
    if (call?.sessionId !== undefined)
      this.#sessions.add(String(call.sessionId), now, input, output, cost?.total ?? 0);
    const m = this.#instruments;
    if (m) {
      const labels = {
        gen_ai_provider_name: provider,
        gen_ai_request_model: model,
        gen_ai_operation_name: operation,
      };
      m.duration.observe({ ...labels, error_type: errorType }, seconds ?? Number.NaN);
      if (call?.inputTokens !== undefined)
        m.tokenUsage.observe({ ...labels, gen_ai_token_type: 'input' }, input);
      if (call?.outputTokens !== undefined)
        m.tokenUsage.observe({ ...labels, gen_ai_token_type: 'output' }, output);
      m.tokens.inc({ provider, model, type: 'input' }, input);
      m.tokens.inc({ provider, model, type: 'output' }, output);
      if (cost) m.cost.inc({ provider, model }, cost.total);
    }
    return cost;
  }

  /** Per provider over the last `hours` (1 to 48, default 24), providers without calls left out. */
  providerMetrics(hours = 24): Record<string, ProviderMetrics> {
    if (!Number.isInteger(hours) || hours < 1 || hours > HOURS_KEPT) {
      throw invalidOption('hours', hours, `an integer from 1 to ${HOURS_KEPT}`);
    }
    return providerMetrics(this.#store, this.#clock.now(), hours);
  }

  costAnalytics(): CostAnalytics {
    return costAnalytics(this.#store, this.#clock.now(), this.#tolerance);
  }

  sessionCost(sessionId: string): SessionCost | undefined {
    return this.#sessions.get(sessionId);
  }

  /** The `limit` costliest sessions among those kept, costliest first. */
  topSessions(limit = 10): SessionCost[] {
    return this.#sessions.top(limit);
  }
}

function instruments(registry: Registry, prefix: string): Instruments {
  const otel = ['gen_ai_provider_name', 'gen_ai_request_model', 'gen_ai_operation_name'];
  return {
    duration: registry.histogram({
      name: 'gen_ai_client_operation_duration_seconds',
      help: 'GenAI operation duration.',
      labelNames: [...otel, 'error_type'],
      unit: 'seconds',
      buckets: GENAI_DURATION_BUCKETS,
    }),
    tokenUsage: registry.histogram({
      name: 'gen_ai_client_token_usage',
      help: 'Number of input and output tokens used.',
      labelNames: [...otel, 'gen_ai_token_type'],
      buckets: GENAI_TOKEN_BUCKETS,
    }),
    tokens: registry.counter({
      name: `${prefix}_llm_tokens_total`,
      help: 'Tokens used by LLM calls; input includes cached input, output includes reasoning.',
      labelNames: ['provider', 'model', 'type'],
    }),
    cost: registry.counter({
      name: `${prefix}_llm_cost_usd_total`,
      help: 'Cost of LLM calls in US dollars, at the price in effect when each call was made.',
      labelNames: ['provider', 'model'],
    }),
  };
}

function name(value: unknown): string {
  return typeof value === 'string' && value !== '' ? value : 'unknown';
}

function count(value: unknown): number {
  return typeof value === 'number' && value >= 0 && value < Number.POSITIVE_INFINITY ? value : 0;
}
