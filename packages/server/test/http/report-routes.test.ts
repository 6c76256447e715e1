import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importSamples } from '../../../../test/support/import-samples.js';
import { type RunningServer, serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';

let dir: string;
let server: RunningServer;
const END = Math.floor(Date.now() / 60_000) * 60_000;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-report-routes-'));
  server = await serve(loadConfig({ listen: '127.0.0.1:0', data: dir, statsd: 'off' }, {}));
  // 60 requests a minute for the last hour, 1 in 60 of them an error.
  const lines: string[] = [];
  for (let m = 60; m >= 0; m--) {
    const t = END - m * 60_000;
    const n = 60 - m;
    lines.push(
      `latency_operations_total{operation="chat",provider="openai",status="success"} ${n * 59} ${t}`,
      `latency_operations_total{operation="chat",provider="openai",status="error"} ${n} ${t}`,
    );
  }
  await importSamples(server.url, lines);
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /api/reports', () => {
  it('answers the report of the period ending at `end` as JSON, Markdown or HTML', async () => {
    const res = await fetch(`${server.url}/api/reports?period=1h&end=${END / 1000}`);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const report = await res.json();
    const traffic = report.sections.find((s: { id: string }) => s.id === 'traffic').rows[0];
    expect(traffic.figures.requests.current).toBeCloseTo(3600, 6);
    expect(traffic.figures.errorRate.current).toBeCloseTo(1 / 60, 9);
    expect(traffic.figures.requests.previous).toBeNull();
    const md = await fetch(`${server.url}/api/reports?period=1h&end=${END / 1000}&format=md`);
    expect(md.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(await md.text()).toContain('| chat | openai | 3,600 | 60 | 1.67% |');
    const html = await fetch(`${server.url}/api/reports?period=1h&format=html`);
    expect(await html.text()).toContain('<h2 style="font-size:1.1em;margin-top:1.5em">Incidents</h2>');
  });

  it('writes the period as the clocks of the `timezone` asked for show them, times staying UTC', async () => {
    const kolkata = (ms: number) =>
      new Date(ms + 5.5 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
    const res = await fetch(`${server.url}/api/reports?period=1h&end=${END / 1000}&timezone=Asia/Kolkata`);
    expect(res.status).toBe(200);
    const report = await res.json();
    expect(report.timeZone).toBe('Asia/Kolkata');
    expect(report.period).toBe(`${kolkata(END - 3_600_000)} to ${kolkata(END)} UTC+5:30`);
    expect(report.previousPeriod).toBe(`${kolkata(END - 7_200_000)} to ${kolkata(END - 3_600_000)} UTC+5:30`);
    expect(report.end).toBe(new Date(END).toISOString());
    const md = await fetch(
      `${server.url}/api/reports?period=1h&end=${END / 1000}&timezone=Asia/Kolkata&format=md`,
    );
    expect(await md.text()).toContain(
      `# vigil report: ${kolkata(END - 3_600_000)} to ${kolkata(END)} UTC+5:30`,
    );
    const utc = await (await fetch(`${server.url}/api/reports?period=1h&end=${END / 1000}`)).json();
    expect(utc.timeZone).toBe('UTC');
    expect(utc.period).toMatch(/ UTC$/);
  });

  it('refuses a time zone that is not an IANA zone, naming it', async () => {
    const bad = await fetch(`${server.url}/api/reports?period=1h&timezone=Mars/Olympus`);
    expect(bad.status).toBe(400);
    const body = await bad.json();
    expect(body.error.code).toBe('bad_data');
    expect(body.error.message).toBe(
      'timezone: got "Mars/Olympus", expected an IANA time zone such as UTC or Europe/Paris',
    );
  });

  it('refuses a bad period or format', async () => {
    const bad = await fetch(`${server.url}/api/reports?period=1x`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toBe(
      'period: got "1x", expected a duration such as 1h, 1d or 7d',
    );
    expect((await fetch(`${server.url}/api/reports?format=pdf`)).status).toBe(400);
  });
});
