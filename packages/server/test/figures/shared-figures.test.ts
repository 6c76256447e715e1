import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';
import { ACTIVE_SESSIONS } from '../../src/figures/active-sessions.js';
import { errorRate, NOW_WINDOW } from '../../src/figures/requests.js';
import { TopClient } from '../../src/top/top-client.js';

const NOW = 1_700_000_000_000;
const dir = mkdtempSync(join(tmpdir(), 'vigil-shared-figures-'));
let server: Awaited<ReturnType<typeof serve>>;

/**
 * Half an hour scraped every 15 s: a LatencyTracker's 10 operations a scrape, none failing for 20
 * minutes (no error series yet), then 2 of the 10 (20%); LLM calls failing half the time, which the fleet's figure leaves
 * out since the operations are its preferred source. Sessions: two streaming all along, one started
 * 5 s ago (one sample: no rate() yet), one that ended ten minutes ago.
 */
function fixture(): string {
  const lines: string[] = [];
  let failed = 0;
  for (let i = 0; i <= 120; i++) {
    const t = NOW - 1_800_000 + i * 15_000;
    if (i > 80) failed += 2;
    lines.push(`latency_operations_total{operation="stt",status="success"} ${i * 10 - failed} ${t}`);
    // A labelled counter appears with its first failure, as a LatencyTracker's does.
    if (i >= 80) lines.push(`latency_operations_total{operation="stt",status="error"} ${failed} ${t}`);
    lines.push(`gen_ai_client_operation_duration_seconds_count{gen_ai_provider_name="openai"} ${i} ${t}`);
    lines.push(
      `gen_ai_client_operation_duration_seconds_count{gen_ai_provider_name="openai",error_type="timeout"} ${i} ${t}`,
    );
    for (const session of ['swift-neural-42', 'calm-river-7'])
      lines.push(`stream_packets_sent_total{session="${session}"} ${i * 750} ${t}`);
    if (i <= 80) lines.push(`stream_packets_sent_total{session="gone-away-1"} ${i * 750} ${t}`);
  }
  lines.push(`stream_packets_sent_total{session="just-started-3"} 250 ${NOW - 5_000}`);
  return `${lines.join('\n')}\n`;
}

beforeAll(async () => {
  server = await serve(
    loadConfig({ listen: '127.0.0.1:0', data: dir, statsd: 'off' }, {}),
    new ManualClock(NOW),
  );
  const res = await fetch(`${server.url}/api/v1/import/prometheus`, { method: 'POST', body: fixture() });
  expect(await res.json()).toMatchObject({ malformedCount: 0, rejected: {} });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A dashboard panel's first query, as the dashboard sends it: an instant query at the range's end. */
async function panelValue(file: string, title: string): Promise<number> {
  const path = join(import.meta.dirname, '../../../dashboard/dashboards', file);
  const def = JSON.parse(readFileSync(path, 'utf8')) as {
    panels: { title: string; queries: { expr: string }[] }[];
  };
  const expr = def.panels.find((p) => p.title === title)!.queries[0]!.expr;
  const body = (await (
    await fetch(`${server.url}/api/v1/query?query=${encodeURIComponent(expr)}&time=${NOW / 1000}`)
  ).json()) as { data: { result: { value: [number, string] }[] } };
  return Number(body.data.result[0]?.value[1]);
}

describe('one definition of the error rate and of active sessions', () => {
  it('the dashboard, /api/metrics, /api/metrics/mobile and vigil top show the same numbers', async () => {
    const fleet = (await (await fetch(`${server.url}/api/metrics`)).json()) as {
      system_metrics: { error_rate: number; success_rate: number; total_requests: number };
      session_metrics: { active_sessions: number };
    };
    const mobile = (await (await fetch(`${server.url}/api/metrics/mobile`)).json()) as {
      error_rate: number;
      active_sessions: number;
    };
    const top = await new TopClient({ url: server.url }).read(NOW);

    // The last 5 minutes lie in the part where 2 of 10 operations fail; the LLM calls' 50% is not mixed in.
    expect(mobile.error_rate).toBeCloseTo(0.2, 9);
    expect(fleet.system_metrics.error_rate).toBe(mobile.error_rate);
    expect(await panelValue('overview.json', 'Error rate')).toBeCloseTo(mobile.error_rate, 12);
    expect(await panelValue('overview.json', 'Success ratio')).toBeCloseTo(1 - mobile.error_rate, 12);
    expect(top.loss.find((r) => r.label === 'request errors')?.value).toBeCloseTo(mobile.error_rate, 12);
    // The 24 hours' counts stay what they were: 1,200 operations, 80 of them failed.
    expect(fleet.system_metrics.total_requests).toBe(1200);
    expect(fleet.system_metrics.success_rate).toBeCloseTo(1 - 80 / 1200, 9);

    // Two streaming all along and one started 5 s ago; the one that ended ten minutes ago is gone.
    expect(mobile.active_sessions).toBe(3);
    expect(fleet.session_metrics.active_sessions).toBe(3);
    expect(await panelValue('sessions.json', 'Live sessions')).toBe(3);
    expect(top.sessions.map((s) => s.name)).toEqual(['calm-river-7', 'just-started-3', 'swift-neural-42']);
  });

  it('the dashboard files hold the figures module’s own expressions', () => {
    const panel = (file: string, title: string) => {
      const path = join(import.meta.dirname, '../../../dashboard/dashboards', file);
      const def = JSON.parse(readFileSync(path, 'utf8')) as {
        panels: { title: string; queries: { expr: string }[] }[];
      };
      return def.panels.find((p) => p.title === title)!.queries[0]!.expr;
    };
    expect(panel('overview.json', 'Error rate')).toBe(errorRate(NOW_WINDOW));
    expect(panel('overview.json', 'Success ratio')).toBe(`1 - (${errorRate(NOW_WINDOW)})`);
    expect(panel('sessions.json', 'Live sessions')).toBe(ACTIVE_SESSIONS);
  });

  it('a source with requests but no failure series has an error rate of 0, not the next source’s', async () => {
    const body = (await (
      await fetch(
        `${server.url}/api/v1/query?query=${encodeURIComponent(errorRate('2m'))}&time=${(NOW - 900_000) / 1000}`,
      )
    ).json()) as { data: { result: { value: [number, string] }[] } };
    // Fifteen minutes ago no operation had failed yet and there was no error series: 0, not the LLM calls' 50%.
    expect(Number(body.data.result[0]?.value[1])).toBe(0);
  });
});
