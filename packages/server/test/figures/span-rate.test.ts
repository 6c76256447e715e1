import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';
import { dataSpan, spanRate } from '../../src/figures/span-rate.js';

const NOW = 1_700_000_000_000;
const dir = mkdtempSync(join(tmpdir(), 'vigil-span-rate-'));
let server: Awaited<ReturnType<typeof serve>>;

/** A fresh install: ten minutes of a cost counter scraped every 15 s, growing $0.05 a scrape ($12/h). */
function freshInstall(): string {
  const lines: string[] = [];
  for (let i = 0; i <= 40; i++) {
    const t = NOW - 600_000 + i * 15_000;
    lines.push(`vigil_llm_cost_usd_total{provider="openai"} ${(i * 0.05).toFixed(2)} ${t}`);
    // Requests counted by a LatencyTracker: 3 a scrape, one in ten failing.
    for (const name of ['latency_operations_total', 'latency_operation_duration_seconds_count']) {
      lines.push(`${name}{operation="stt",status="success"} ${i * 2.7} ${t}`);
      lines.push(`${name}{operation="stt",status="error"} ${i * 0.3} ${t}`);
    }
    lines.push(`latency_operation_duration_seconds_sum{operation="stt",status="success"} ${i * 1.35} ${t}`);
    lines.push(`latency_operation_duration_seconds_sum{operation="stt",status="error"} ${i * 0.15} ${t}`);
  }
  return `${lines.join('\n')}\n`;
}

beforeAll(async () => {
  server = await serve(
    loadConfig({ listen: '127.0.0.1:0', data: dir, statsd: 'off' }, {}),
    new ManualClock(NOW),
  );
  const res = await fetch(`${server.url}/api/v1/import/prometheus`, { method: 'POST', body: freshInstall() });
  expect(await res.json()).toMatchObject({ malformedCount: 0, rejected: {} });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function value(expr: string): Promise<number> {
  const body = (await (
    await fetch(`${server.url}/api/v1/query?query=${encodeURIComponent(expr)}&time=${NOW / 1000}`)
  ).json()) as { data: { result: { value: [number, string] }[] } };
  return Number(body.data.result[0]?.value[1]);
}

describe('figures on a fresh install with ten minutes of data', () => {
  it('cost per hour is the rate over the data, not over an hour mostly without any', async () => {
    const cost = 'vigil_llm_cost_usd_total';
    // What the cost page used to show: the $2 increase (a counter from 0 is not extrapolated before its
    // first sample) over 3600 s.
    expect(await value(`sum(rate(${cost}[1h])) * 3600`)).toBeCloseTo(2, 9);
    // $2 in 600 s is $12 an hour; the 15 s resolution of the first sample's time leaves it within 2.5%.
    const perHour = await value(`${spanRate(cost, '1h')} * 3600`);
    expect(perHour).toBeGreaterThan(12 * 0.975);
    expect(perHour).toBeLessThan(12 * 1.025);
    const perMonth = (await value(`${spanRate(cost, '1d')} * 86400`)) * 30;
    expect(perMonth / (12 * 24 * 30)).toBeGreaterThan(0.975);
    expect(perMonth / (12 * 24 * 30)).toBeLessThan(1.025);
    // The projection says what it stands on: ten minutes, within the subquery's minute steps.
    expect(Math.abs((await value(dataSpan(cost, '1d'))) - 600)).toBeLessThanOrEqual(30);
    // Over a window shorter than the data, it is plain rate().
    expect(await value(`${spanRate(cost, '5m')} * 3600`)).toBeCloseTo(
      await value(`sum(rate(${cost}[5m])) * 3600`),
      9,
    );
  });

  it('/api/metrics counts the LatencyTracker operations as whole requests, and their failures', async () => {
    const doc = (await (await fetch(`${server.url}/api/metrics`)).json()) as {
      system_metrics: { total_requests: number; failed_requests: number; success_rate: number };
      cost_analytics: { cost_per_hour: number; projection_basis_seconds: number };
    };
    // 120 operations in 40 scrapes, 12 of them errors (increase() of a counter from 0 extrapolates
    // nothing before the first sample; the sums of floats such as 2.7 are not whole: rounded).
    expect(doc.system_metrics.total_requests).toBe(120);
    expect(Number.isInteger(doc.system_metrics.failed_requests)).toBe(true);
    expect(doc.system_metrics.failed_requests).toBe(12);
    expect(doc.system_metrics.success_rate).toBeCloseTo(0.9, 6);
    expect(doc.cost_analytics.cost_per_hour).toBeCloseTo(
      await value(`${spanRate('vigil_llm_cost_usd_total', '1h')} * 3600`),
      9,
    );
    const mobile = (await (await fetch(`${server.url}/api/metrics/mobile`)).json()) as {
      error_rate: number;
      requests_per_minute: number;
    };
    expect(mobile.error_rate).toBeCloseTo(12 / 120, 6);
    expect(mobile.requests_per_minute).toBeGreaterThan(11);
  });

  it('refuses a window it cannot read', () => {
    expect(() => spanRate('x', 'an hour')).toThrow('window "an hour" is not a duration');
  });
});

describe('one definition of cost per hour', () => {
  it('the cost page and its per-model column use the span-rate figures (vigil top imports them)', () => {
    const root = join(import.meta.dirname, '../../..');
    const cost = JSON.parse(readFileSync(join(root, 'dashboard/dashboards/cost.json'), 'utf8')) as {
      panels: {
        title: string;
        queries?: { expr: string }[];
        columns?: { title: string; expr?: string }[];
        basis?: { expr: string; window: string };
      }[];
    };
    const panel = (title: string) => cost.panels.find((p) => p.title === title)!;
    const c = 'vigil_llm_cost_usd_total';
    expect(panel('Cost per hour').queries![0]!.expr).toBe(`${spanRate(c, '1h')} * 3600`);
    // What it says it is based on: the data span of the same window.
    expect(panel('Cost per hour').basis).toMatchObject({ expr: dataSpan(c, '1h'), window: '1h' });
    const column = panel('By model, over the range').columns!.find((col) => col.title === 'Cost per hour');
    expect(column!.expr).toBe(`${spanRate(c, '1h', 'provider, model')} * 3600`);
  });
});
