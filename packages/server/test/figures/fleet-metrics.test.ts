import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { importSamples } from '../../../../test/support/import-samples.js';
import { serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const NOW = 1_700_000_000_000; // 2023-11-14T22:13:20Z
const T0 = NOW - 600_000;
const T1 = NOW - 240_000;

/** `name{labels}` at T0, T1 and NOW (a value of undefined skips that time). */
function series(selector: string, ...values: (number | undefined)[]): string {
  return [T0, T1, NOW]
    .map((t, i) => (values[i] === undefined ? '' : `${selector} ${values[i]} ${t}\n`))
    .join('');
}

const openai = 'gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o"';
const anthropic = 'gen_ai_provider_name="anthropic",gen_ai_request_model="claude-3-5-haiku"';
const DATA = [
  series('http_request_duration_seconds_count{code="200"}', 0, 57, 95),
  series('http_request_duration_seconds_count{code="500"}', 0, 3, 5),
  series('http_request_duration_seconds_sum{code="200"}', 0, undefined, 19),
  series('http_request_duration_seconds_sum{code="500"}', 0, undefined, 1),
  series(`gen_ai_client_operation_duration_seconds_count{${openai}}`, 0, undefined, 40),
  series(`gen_ai_client_operation_duration_seconds_sum{${openai}}`, 0, undefined, 57),
  series(`gen_ai_client_operation_duration_seconds_bucket{${openai},le="1"}`, 0, undefined, 10),
  series(`gen_ai_client_operation_duration_seconds_bucket{${openai},le="2"}`, 0, undefined, 30),
  series(`gen_ai_client_operation_duration_seconds_bucket{${openai},le="+Inf"}`, 0, undefined, 40),
  series(
    `gen_ai_client_operation_duration_seconds_count{${openai},error_type="rate_limit"}`,
    0,
    undefined,
    2,
  ),
  series(`gen_ai_client_operation_duration_seconds_sum{${openai},error_type="rate_limit"}`, 0, undefined, 3),
  series(
    `gen_ai_client_operation_duration_seconds_bucket{${openai},error_type="rate_limit",le="1"}`,
    0,
    undefined,
    2,
  ),
  series(
    `gen_ai_client_operation_duration_seconds_bucket{${openai},error_type="rate_limit",le="2"}`,
    0,
    undefined,
    2,
  ),
  series(
    `gen_ai_client_operation_duration_seconds_bucket{${openai},error_type="rate_limit",le="+Inf"}`,
    0,
    undefined,
    2,
  ),
  series(`gen_ai_client_operation_duration_seconds_count{${anthropic}}`, 0, undefined, 10),
  series(`gen_ai_client_operation_duration_seconds_sum{${anthropic}}`, 0, undefined, 15),
  series(`gen_ai_client_operation_duration_seconds_bucket{${anthropic},le="1"}`, 0, undefined, 5),
  series(`gen_ai_client_operation_duration_seconds_bucket{${anthropic},le="2"}`, 0, undefined, 10),
  series(`gen_ai_client_operation_duration_seconds_bucket{${anthropic},le="+Inf"}`, 0, undefined, 10),
  series('vigil_llm_tokens_total{provider="openai",model="gpt-4o",type="input"}', 0, undefined, 1000),
  series('vigil_llm_tokens_total{provider="openai",model="gpt-4o",type="output"}', 0, undefined, 500),
  series(
    'vigil_llm_tokens_total{provider="anthropic",model="claude-3-5-haiku",type="input"}',
    0,
    undefined,
    200,
  ),
  series('vigil_llm_cost_usd_total{provider="openai",model="gpt-4o"}', 0, undefined, 1.5),
  series('vigil_llm_cost_usd_total{provider="anthropic",model="claude-3-5-haiku"}', 0, undefined, 0.5),
  series('packets_sent_total{session="swift-neural-42"}', undefined, undefined, 10),
  series('packets_sent_total{session="calm-river-7"}', undefined, undefined, 5),
  series('ALERTS{alertname="HighLatency",alertstate="firing",severity="critical"}', undefined, undefined, 1),
  series('ALERTS{alertname="Slow",alertstate="pending"}', undefined, undefined, 1),
  series('up{job="api",instance="api:9100"}', 1, 1, 1),
].join('');

describe('GET /api/metrics and /api/metrics/mobile of vigil serve', () => {
  it("answer the orchestrator seed's documents from the stored series of the services vigil watches", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-fleet-'));
    dirs.push(dir);
    const clock = new ManualClock(NOW);
    const server = await serve(loadConfig({ listen: '127.0.0.1:0', data: dir, statsd: 'off' }, {}), clock);
    try {
      const imported = await fetch(`${server.url}/api/v1/import/prometheus`, { method: 'POST', body: DATA });
      expect(await imported.json()).toMatchObject({ malformedCount: 0, rejected: {} });

      const res = await fetch(`${server.url}/api/metrics`);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const doc = await res.json();
      expect(doc).toMatchObject({
        timestamp: '2023-11-14T22:13:20.000Z',
        period: 'last_24h',
        system_metrics: {
          total_requests: 100,
          successful_requests: 95,
          failed_requests: 5,
          success_rate: 0.95,
          average_response_time: 0.2,
          targets_up: 1,
          targets_total: 1,
        },
        session_metrics: { active_sessions: 2 },
        cost_analytics: {
          total_cost_24h: 2,
          cost_by_provider: { openai: 1.5, anthropic: 0.5 },
          cost_today: 2,
          cost_trend: 'increasing',
        },
        alerts_firing: 1,
      });
      // A fresh install: $2 in the ten minutes stored is $12 an hour, not the $2 of an hour that ten
      // minutes are not; within the 15 s / 60 s steps that find the first sample. No month is
      // projected from them (it read $8,640, a straight line through ten minutes), and the basis says why.
      expect(doc.cost_analytics.cost_per_hour / 12).toBeCloseTo(1, 1);
      expect(doc.cost_analytics.projected_monthly_cost).toBeNull();
      expect(Math.abs(doc.cost_analytics.projection_basis_seconds - 600)).toBeLessThanOrEqual(30);
      // Ten minutes of cost say nothing of a month: no forecast, and why.
      expect(doc.cost_analytics.month_end_forecast).toMatchObject({
        basis: 'not_enough_history',
        expected: null,
        low: null,
        high: null,
      });
      // Under a day it is found as the projection's basis is (the steps of a subquery over 32 days
      // are 32 minutes: they missed these ten minutes and said 0, "no data yet", on the dashboard).
      expect(doc.cost_analytics.month_end_forecast.history_seconds).toBe(
        doc.cost_analytics.projection_basis_seconds,
      );
      // 40 more requests between T1 and now, extrapolated over the 5-minute window: 50 in 5 minutes.
      expect(doc.system_metrics.requests_per_minute).toBeCloseTo(10, 9);
      expect(doc.provider_metrics.openai).toEqual({
        requests: 42,
        success_rate: 40 / 42,
        average_latency: 60 / 42,
        // rank 21 of 42: in (1, 2], 9 of its 20 → 1.45; p95 and p99 fall in +Inf: the highest finite bound.
        p50_latency: 1.45,
        p95_latency: 2,
        p99_latency: 2,
        total_tokens: 1500,
        total_cost: 1.5,
        models_used: { 'gpt-4o': 42 },
        error_breakdown: { rate_limit: 2 },
      });
      expect(doc.provider_metrics.anthropic).toMatchObject({ requests: 10, success_rate: 1, p50_latency: 1 });

      const mobile = await (await fetch(`${server.url}/api/metrics/mobile`)).json();
      expect(mobile).toEqual({
        status: 'healthy',
        active_sessions: 2,
        requests_per_minute: doc.system_metrics.requests_per_minute,
        error_rate: 0.05,
        top_provider: 'openai',
        cost_today: 2,
        alerts_count: 1,
      });
    } finally {
      await server.close();
    }
  });

  it('counts the cost of two instrumented apps whose cost counters share their labels', async () => {
    // Two apps, each exposing its own prefix (the library names the counter after the app), both
    // spending on openai gpt-4o: the same labels under two names. /api/metrics failed with "vector
    // cannot contain metrics with the same labelset"; both apps' spending counts.
    const dir = mkdtempSync(join(tmpdir(), 'vigil-fleet-'));
    dirs.push(dir);
    const server = await serve(
      loadConfig({ listen: '127.0.0.1:0', data: dir, statsd: 'off' }, {}),
      new ManualClock(NOW),
    );
    try {
      const body = [
        series('vigil_llm_cost_usd_total{provider="openai",model="gpt-4o"}', 0, undefined, 1.5),
        series('chat_llm_cost_usd_total{provider="openai",model="gpt-4o"}', 0, undefined, 0.5),
        series('chat_llm_cost_usd_total{provider="anthropic",model="claude-3-5-haiku"}', 0, undefined, 1),
        series('vigil_llm_tokens_total{provider="openai",model="gpt-4o",type="input"}', 0, undefined, 1000),
        series('chat_llm_tokens_total{provider="openai",model="gpt-4o",type="input"}', 0, undefined, 300),
      ].join('');
      const imported = await fetch(`${server.url}/api/v1/import/prometheus`, { method: 'POST', body });
      expect(await imported.json()).toMatchObject({ malformedCount: 0, rejected: {} });
      const res = await fetch(`${server.url}/api/metrics`);
      const doc = await res.json();
      expect(res.status, JSON.stringify(doc)).toBe(200);
      expect(doc.cost_analytics).toMatchObject({
        total_cost_24h: 3,
        cost_by_provider: { openai: 2, anthropic: 1 },
        cost_today: 3,
      });
      // $3 over the ten minutes stored: $18 an hour, both apps together.
      expect(doc.cost_analytics.cost_per_hour / 18).toBeCloseTo(1, 1);
      expect(Math.abs(doc.cost_analytics.projection_basis_seconds - 600)).toBeLessThanOrEqual(30);
      expect(doc.provider_metrics.openai).toMatchObject({ total_cost: 2, total_tokens: 1300 });
      // The Cost page's forecast over both apps' counters.
      const page = await fetch(
        `${server.url}/api/forecasts/month-end?selector=${encodeURIComponent('{__name__=~".+_llm_cost_usd_total"}')}`,
      );
      expect(page.status).toBe(200);
      expect(await page.json()).toMatchObject({
        month_to_date: 3,
        history_seconds: doc.cost_analytics.projection_basis_seconds,
      });
      // An offset or @ is refused by name, not answered with a parse error from the figures' PromQL.
      for (const modifier of ['offset 1d', '@ 1700000000']) {
        const selector = `{__name__=~".+_llm_cost_usd_total"} ${modifier}`;
        const shifted = await fetch(
          `${server.url}/api/forecasts/month-end?selector=${encodeURIComponent(selector)}`,
        );
        expect([modifier, shifted.status]).toEqual([modifier, 400]);
        expect((await shifted.json()).error.message).toBe(
          `selector: got ${JSON.stringify(selector)}, expected no offset or @ modifier: the forecast reads back from now`,
        );
      }
    } finally {
      await server.close();
    }
  });

  it('answers zeros and nulls, not errors, before anything is stored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-fleet-'));
    dirs.push(dir);
    const server = await serve(
      loadConfig({ listen: '127.0.0.1:0', data: dir, statsd: 'off' }, {}),
      new ManualClock(NOW),
    );
    try {
      const doc = await (await fetch(`${server.url}/api/metrics`)).json();
      expect(doc.system_metrics).toMatchObject({
        total_requests: 0,
        success_rate: null,
        average_response_time: null,
      });
      expect(doc.provider_metrics).toEqual({});
      expect(await (await fetch(`${server.url}/api/metrics/mobile`)).json()).toMatchObject({
        status: 'healthy',
        top_provider: null,
        error_rate: 0,
        alerts_count: 0,
      });
    } finally {
      await server.close();
    }
  });

  it("forecasts the month-end cost from the month's days so far, each weekday at its share", async () => {
    // 2023-11-20 00:00 UTC, a Monday. Since November began, weekdays cost $10 and weekend days $4,
    // spread evenly over each day (a sample every 15 minutes); flat at 0 the half day before.
    const now = Date.UTC(2023, 10, 20);
    const lines: string[] = [];
    let cost = 0;
    for (let t = Date.UTC(2023, 9, 31, 12); t <= now; t += 900_000) {
      lines.push(`vigil_llm_cost_usd_total{provider="openai",model="gpt-4o"} ${cost} ${t}`);
      const day = new Date(t).getUTCDay();
      if (t >= Date.UTC(2023, 10, 1)) cost += (day === 0 || day === 6 ? 4 : 10) / 96;
    }
    const dir = mkdtempSync(join(tmpdir(), 'vigil-fleet-forecast-'));
    dirs.push(dir);
    const server = await serve(
      loadConfig({ listen: '127.0.0.1:0', data: dir, statsd: 'off' }, {}),
      new ManualClock(now),
    );
    try {
      await importSamples(server.url, lines);
      const doc = await (await fetch(`${server.url}/api/metrics`)).json();
      const f = doc.cost_analytics.month_end_forecast;
      expect(f.basis).toBe('month_so_far');
      // With a day of data, the projection is the last day's cost (a Sunday's $4) times 30.
      expect(doc.cost_analytics.projected_monthly_cost).toBeCloseTo(120, 0);
      // 19.5 days stored, found by a subquery over 32 days whose steps are 32 minutes.
      expect(Math.abs(f.history_seconds - 19.5 * 86_400)).toBeLessThanOrEqual(1920);
      expect(f.days_left).toBe(11);
      // Nov 1-19: 13 weekdays and 6 weekend days, all 19 averaged.
      expect(f.month_to_date).toBeCloseTo(13 * 10 + 6 * 4, 0);
      expect(f.days_averaged).toBe(19);
      // Sunday, Saturday, then Friday back to Monday, ..., Wednesday the 1st.
      expect(f.daily.map((d: number) => Math.round(d * 1000) / 1000)).toEqual([
        4, 4, 10, 10, 10, 10, 10, 4, 4, 10, 10, 10, 10, 10, 4, 4, 10, 10, 10,
      ]);
      // At midnight no part of today is left: 11 whole days, Monday 20th to Thursday 30th, 9 weekdays
      // at $10 and a weekend at $4 (the mean day, $154 / 19, would have made them $89.16).
      expect(f.expected).toBeCloseTo(154 + 9 * 10 + 2 * 4, 1);
      // Two whole weeks agree on each weekday: no spread is left about them, so no range.
      expect(f.high - f.low).toBeLessThan(0.1);
      // The dashboard's Cost page reads the same forecast for one counter.
      const page = await fetch(`${server.url}/api/forecasts/month-end?selector=vigil_llm_cost_usd_total`);
      expect(page.status).toBe(200);
      expect(await page.json()).toEqual({ selector: 'vigil_llm_cost_usd_total', ...f });
      const bad = await fetch(
        `${server.url}/api/forecasts/month-end?selector=${encodeURIComponent('rate(x[5m])')}`,
      );
      expect(bad.status).toBe(400);
      expect((await bad.json()).error.message).toContain(
        'selector: got "rate(x[5m])", expected a series selector',
      );
    } finally {
      await server.close();
    }
  });

  it('prices the rest of today by the hours the days averaged spent in', async () => {
    // Since November began, $1 an hour from 08:00 to 20:00 UTC, nothing at night; now is noon on the
    // 20th. A mean hour would put half a day's $12 in the 12 hours left today; the same hours of the
    // days averaged (12:00 to 20:00) hold $8.
    const now = Date.UTC(2023, 10, 20, 12);
    const lines: string[] = [];
    let cost = 0;
    // A sample a minute: increase() extrapolates a window's first step to its edge, which at this
    // resolution moves the figures by cents, not dollars.
    for (let t = Date.UTC(2023, 9, 31, 12); t <= now; t += 60_000) {
      lines.push(`vigil_llm_cost_usd_total{provider="openai",model="gpt-4o"} ${cost} ${t}`);
      const hour = new Date(t).getUTCHours();
      if (t >= Date.UTC(2023, 10, 1) && hour >= 8 && hour < 20) cost += 1 / 60;
    }
    const dir = mkdtempSync(join(tmpdir(), 'vigil-fleet-forecast-'));
    dirs.push(dir);
    const server = await serve(
      loadConfig({ listen: '127.0.0.1:0', data: dir, statsd: 'off' }, {}),
      new ManualClock(now),
    );
    try {
      await importSamples(server.url, lines);
      const doc = await (await fetch(`${server.url}/api/metrics`)).json();
      const f = doc.cost_analytics.month_end_forecast;
      // 19 whole days of $12, and $4 this morning.
      expect(f.month_to_date).toBeCloseTo(19 * 12 + 4, 1);
      expect(f.days_left).toBe(10.5);
      expect(f.days_averaged).toBe(19);
      // $8 this afternoon and 10 whole days of $12: the $360 that November costs (a mean hour: $358).
      expect(f.expected).toBeCloseTo(360, 0);
      // Every day alike: no spread, no range.
      expect(f.high - f.low).toBeLessThan(0.01);
    } finally {
      await server.close();
    }
  });
});
