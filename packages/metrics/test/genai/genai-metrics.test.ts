import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/base/clock.js';
import { Registry } from '../../src/core/registry.js';
import type { CounterSnapshot, HistogramSnapshot } from '../../src/core/snapshot.js';
import { GENAI_DURATION_BUCKETS, GENAI_TOKEN_BUCKETS, GenAiMetrics } from '../../src/genai/genai-metrics.js';
import type { ModelPrice } from '../../src/genai/price-table.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 10, 1, 0, 0, 0);
const PRICES: ModelPrice[] = [
  {
    provider: 'openai',
    model: 'gpt-4o',
    effectiveFrom: '2024-10-01',
    input: 2.5,
    output: 10,
    cachedInput: 1.25,
  },
  { provider: 'openai', model: 'gpt-4o-mini', effectiveFrom: '2024-07-18', input: 0.15, output: 0.6 },
  { provider: 'anthropic', model: 'claude-3-5-sonnet*', effectiveFrom: '2024-06-20', input: 3, output: 15 },
];

function setup(options: { maxModels?: number; maxSessions?: number } = {}) {
  const clock = new ManualClock(T0);
  const registry = new Registry({ clock });
  const genai = new GenAiMetrics({ registry, clock, prices: PRICES, prefix: 'orchestrator', ...options });
  return { clock, registry, genai };
}

describe('GenAiMetrics', () => {
  it('records the OpenTelemetry GenAI histograms and the token and cost counters', () => {
    const { registry, genai } = setup();
    const cost = genai.record({
      provider: 'openai',
      model: 'gpt-4o',
      durationMs: 1230,
      inputTokens: 10_000,
      cachedInputTokens: 4000,
      outputTokens: 1000,
      reasoningTokens: 200,
    });
    expect(cost).toEqual({ input: 0.015, cached_input: 0.005, output: 0.01, total: 0.03 });
    genai.record({
      provider: 'openai',
      model: 'gpt-4o',
      operation: 'chat',
      durationMs: 30_000,
      error: { status: 429 },
    });
    const metrics = new Map(registry.snapshotSync().metrics.map((m) => [m.name, m]));

    const duration = metrics.get('gen_ai_client_operation_duration_seconds') as HistogramSnapshot;
    expect(duration.bounds).toEqual(GENAI_DURATION_BUCKETS);
    expect(GENAI_DURATION_BUCKETS.at(-1)).toBeCloseTo(81.92, 9);
    expect(duration.points.map((p) => [p.labels, p.count, p.sum])).toEqual([
      [
        { gen_ai_provider_name: 'openai', gen_ai_request_model: 'gpt-4o', gen_ai_operation_name: 'chat' },
        1,
        1.23,
      ],
      [
        {
          gen_ai_provider_name: 'openai',
          gen_ai_request_model: 'gpt-4o',
          gen_ai_operation_name: 'chat',
          error_type: 'rate_limit',
        },
        1,
        30,
      ],
    ]);
    const tokens = metrics.get('gen_ai_client_token_usage') as HistogramSnapshot;
    expect(tokens.bounds).toEqual(GENAI_TOKEN_BUCKETS);
    expect(GENAI_TOKEN_BUCKETS.at(-1)).toBe(67_108_864);
    expect(tokens.points.map((p) => [p.labels.gen_ai_token_type, p.sum])).toEqual([
      ['input', 10_000],
      ['output', 1000],
    ]);
    const counter = (name: string) =>
      (metrics.get(name) as CounterSnapshot).points.map((p) => [Object.values(p.labels).join('/'), p.value]);
    expect(counter('orchestrator_llm_tokens_total')).toEqual([
      ['openai/gpt-4o/input', 10_000],
      ['openai/gpt-4o/output', 1000],
    ]);
    expect(counter('orchestrator_llm_cost_usd_total')).toEqual([['openai/gpt-4o', 0.03]]);
  });

  it("answers the seed's provider_metrics over the last hours", () => {
    const { clock, genai } = setup();
    // Yesterday's calls, then 100 calls to openai in the last hours: 98 fine, a timeout, a 500.
    genai.record({
      provider: 'openai',
      model: 'gpt-4o',
      durationMs: 99_000,
      inputTokens: 1,
      outputTokens: 1,
    });
    clock.advance(30 * HOUR);
    for (let i = 1; i <= 100; i++) {
      const error =
        i === 50 ? new DOMException('slow', 'TimeoutError') : i === 51 ? { status: 500 } : undefined;
      genai.record({
        provider: 'openai',
        model: i % 4 === 0 ? 'gpt-4o' : 'gpt-4o-mini',
        durationMs: i * 10,
        inputTokens: 1000,
        outputTokens: 100,
        cachedInputTokens: i % 4 === 0 ? 500 : 0,
        reasoningTokens: 10,
        error,
      });
      clock.advance(60_000);
    }
    genai.record({
      provider: 'anthropic',
      model: 'claude-3-5-sonnet-20241022',
      durationMs: 1870,
      inputTokens: 2000,
      outputTokens: 500,
    });
    const metrics = genai.providerMetrics();
    expect(Object.keys(metrics)).toEqual(['openai', 'anthropic']);
    const openai = metrics.openai!;
    expect(openai).toMatchObject({
      requests: 100,
      success_rate: 0.98,
      total_tokens: 110_000,
      input_tokens: 100_000,
      output_tokens: 10_000,
      cached_input_tokens: 12_500,
      reasoning_tokens: 1000,
      models_used: { 'gpt-4o-mini': 75, 'gpt-4o': 25 },
      error_breakdown: { timeout: 1, api_error: 1 },
      unpriced_requests: 0,
    });
    expect(openai.average_latency).toBeCloseTo(0.505, 9);
    // Durations 0.01 .. 1.00 s: percentiles within the sketch's 0.54%.
    expect(openai.p50_latency! / 0.5).toBeCloseTo(1, 1);
    expect(Math.abs(openai.p95_latency! / 0.95 - 1)).toBeLessThan(0.006);
    expect(Math.abs(openai.p99_latency! / 0.99 - 1)).toBeLessThan(0.006);
    // gpt-4o: 25 × (500 × 2.5 + 500 × 1.25 + 100 × 10) / 1e6; mini: 75 × (1000 × 0.15 + 100 × 0.6) / 1e6.
    expect(openai.cost_by_model).toEqual({ 'gpt-4o': 0.071875, 'gpt-4o-mini': 0.01575 });
    expect(openai.total_cost).toBeCloseTo(0.087625, 9);
    expect(openai.cost_details).toEqual({ input: 0.0425, cached_input: 0.015625, output: 0.0295 });
    expect(metrics.anthropic).toMatchObject({
      requests: 1,
      total_cost: 0.0135,
      p50_latency: expect.any(Number),
    });
    // Yesterday's 99 s call is inside 48 hours, not inside 24.
    expect(genai.providerMetrics(48).openai!.requests).toBe(101);
    expect(genai.providerMetrics(1).openai!.requests).toBeLessThan(100);
  });

  it("answers the seed's cost_analytics: totals, projection, trend, hourly and daily series", () => {
    const { clock, genai } = setup();
    // Spend at an even rate, a call every 10 minutes, all output tokens ($15 / $10 per million).
    const outputPrice: Record<string, number> = { anthropic: 15, openai: 10 };
    const day = (rates: Record<string, number>) => {
      for (let i = 0; i < 144; i++) {
        for (const [provider, usdPerHour] of Object.entries(rates)) {
          const model = provider === 'openai' ? 'gpt-4o' : 'claude-3-5-sonnet';
          const outputTokens = (usdPerHour / 6 / outputPrice[provider]!) * 1e6;
          genai.record({ provider, model, durationMs: 1000, outputTokens });
        }
        clock.advance(10 * 60_000);
      }
    };

    day({ anthropic: 1 });
    // At midnight the window is the 23 hours before the (empty) current one.
    let c = genai.costAnalytics();
    expect(c.total_cost_24h).toBeCloseTo(23, 6);
    expect(c.cost_per_hour).toBeCloseTo(1, 6);
    expect(c.projected_monthly_cost).toBeCloseTo(24 * 30, 6);
    expect(c.cost_trend).toBe('stable');

    day({ anthropic: 2, openai: 1 });
    c = genai.costAnalytics();
    expect(c.total_cost_24h).toBeCloseTo(69, 6);
    expect(c.cost_by_provider.anthropic).toBeCloseTo(46, 6);
    expect(c.cost_by_provider.openai).toBeCloseTo(23, 6);
    expect(c.cost_trend).toBe('increasing');
    expect(c.hourly_cost).toHaveLength(24);
    expect(c.hourly_cost[0]!.hour).toBe(new Date(clock.now() - 23 * HOUR).toISOString());
    expect(c.hourly_cost.at(-1)).toEqual({ hour: new Date(clock.now()).toISOString(), cost: 0 });
    expect(c.cost_current_hour).toBe(0);
    expect(c.daily_cost).toHaveLength(30);
    expect(c.daily_cost.slice(-3).map((d) => d.date)).toEqual(['2024-11-01', '2024-11-02', '2024-11-03']);
    expect(c.daily_cost.at(-3)!.cost).toBeCloseTo(24, 6);
    expect(c.cost_30d).toBeCloseTo(24 + c.daily_cost.at(-2)!.cost, 6);

    day({ anthropic: 0.5 });
    c = genai.costAnalytics();
    expect(c.cost_trend).toBe('decreasing');
    expect(c.cost_per_hour).toBeCloseTo(0.5, 6);
    expect(c.projected_monthly_cost).toBeCloseTo(0.5 * 24 * 30, 6);
    expect(c.cost_details.output).toBeCloseTo(11.5, 6);

    day({ anthropic: 0.5 });
    expect(genai.costAnalytics().cost_trend).toBe('stable');
    // After 35 days nothing remains.
    clock.advance(36 * 24 * HOUR);
    c = genai.costAnalytics();
    expect(c.total_cost_24h).toBe(0);
    expect(c.cost_30d).toBe(0);
    expect(genai.providerMetrics(48)).toEqual({});
  });

  it('projects from the observed part of the day, not from a full day, when younger than a day', () => {
    const { clock, genai } = setup();
    clock.advance(HOUR / 2);
    genai.record({ provider: 'openai', model: 'gpt-4o', durationMs: 1, outputTokens: 100_000 }); // $1
    clock.advance(5.5 * HOUR);
    // $1 over the 5.5 hours since the first call.
    expect(genai.costAnalytics().projected_monthly_cost).toBeCloseTo((1 / 5.5) * 24 * 30, 6);
    expect(genai.costAnalytics().cost_trend).toBe('stable');
    // Minutes after the first call, the rate is taken over one hour, not over those minutes.
    const young = setup().genai;
    young.record({ provider: 'openai', model: 'gpt-4o', durationMs: 1, outputTokens: 100_000 });
    expect(young.costAnalytics().projected_monthly_cost).toBeCloseTo(24 * 30, 6);
  });

  it('keeps historical cost when the price changes later', () => {
    const { clock, registry, genai } = setup();
    const call = { provider: 'openai', model: 'gpt-4o', durationMs: 1, inputTokens: 1_000_000 };
    genai.record(call);
    const before = genai.costAnalytics().total_cost_24h;
    genai.prices.add({ provider: 'openai', model: 'gpt-4o', effectiveFrom: T0 + HOUR, input: 1, output: 4 });
    expect(genai.costAnalytics().total_cost_24h).toBe(before);
    clock.advance(HOUR);
    expect(genai.record(call)!.total).toBe(1);
    expect(genai.costAnalytics().total_cost_24h).toBe(before + 1);
    const counter = registry.getMetric('orchestrator_llm_cost_usd_total')!.snapshot() as CounterSnapshot;
    expect(counter.points[0]!.value).toBe(3.5);
  });

  it('counts calls without a price as unpriced, at zero cost', () => {
    const { genai } = setup();
    expect(
      genai.record({ provider: 'mistral', model: 'mistral-large', durationMs: 800, inputTokens: 10 }),
    ).toBeUndefined();
    expect(genai.providerMetrics().mistral).toMatchObject({ total_cost: 0, unpriced_requests: 1 });
    expect(genai.costAnalytics().unpriced_requests_24h).toBe(1);
  });

  it('keeps per-session cost for the most recently active sessions', () => {
    const { clock, genai } = setup({ maxSessions: 2 });
    const call = (sessionId: string) =>
      genai.record({ provider: 'openai', model: 'gpt-4o', durationMs: 5, outputTokens: 100_000, sessionId });
    call('swift-neural-42');
    clock.advance(1000);
    call('swift-neural-42');
    call('b');
    expect(genai.sessionCost('swift-neural-42')).toEqual({
      session_id: 'swift-neural-42',
      requests: 2,
      input_tokens: 0,
      output_tokens: 200_000,
      cost: 2,
      first_seen: new Date(T0).toISOString(),
      last_seen: new Date(T0 + 1000).toISOString(),
    });
    call('c');
    expect(genai.sessionCost('swift-neural-42')).toBeUndefined();
    call('b');
    expect(genai.topSessions().map((s) => [s.session_id, s.cost])).toEqual([
      ['b', 2],
      ['c', 1],
    ]);
  });

  it('never throws on bad input, counting what it cannot record', () => {
    const { registry, genai } = setup();
    expect(() =>
      genai.record({
        provider: 42 as never,
        model: '',
        durationMs: Number.NaN,
        inputTokens: -5,
        outputTokens: Number.POSITIVE_INFINITY,
        operation: '',
      }),
    ).not.toThrow();
    expect(() => genai.record(undefined as never)).not.toThrow();
    const unknown = genai.providerMetrics().unknown!;
    expect(unknown).toMatchObject({ requests: 2, average_latency: null, p50_latency: null, total_tokens: 0 });
    expect(registry.dropped('gen_ai_client_operation_duration_seconds', 'invalid_value')).toBe(2);
  });

  it('bounds the provider/model pairs it keeps, past which calls go under other', () => {
    const { genai } = setup({ maxModels: 2 });
    for (const model of ['a', 'b', 'c', 'd']) genai.record({ provider: 'p', model, durationMs: 1 });
    expect(genai.providerMetrics().p!.models_used).toEqual({ a: 1, b: 1, other: 2 });
    for (const provider of ['q', 'r']) genai.record({ provider, model: 'a', durationMs: 1 });
    expect(Object.keys(genai.providerMetrics())).toEqual(['p', 'other']);
    expect(genai.providerMetrics().other!.models_used).toEqual({ other: 2 });
  });

  it('works without a registry, and rejects bad options', () => {
    const genai = new GenAiMetrics({ clock: new ManualClock(T0) });
    genai.record({ provider: 'p', model: 'm', durationMs: 1 });
    expect(genai.providerMetrics().p!.requests).toBe(1);
    expect(() => genai.providerMetrics(49)).toThrow(/hours: got 49, expected an integer from 1 to 48/);
    expect(() => new GenAiMetrics({ maxModels: 0 })).toThrow(/maxModels: got 0/);
    expect(() => new GenAiMetrics({ maxSessions: -1 })).toThrow(/maxSessions: got -1/);
    expect(() => new GenAiMetrics({ trendTolerance: 1 })).toThrow(/trendTolerance: got 1/);
    expect(() => new GenAiMetrics({ prefix: '1x' })).toThrow(/prefix/);
  });
});
