import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { until } from '../../../../test/support/until.js';
import { type RunningServer, serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';

const T0 = 1_700_000_000_000;
const RULES = `groups:
  - name: queues
    interval: 1m
    rules:
      - alert: QueueBacklog
        expr: queue_depth > 10
        for: 1m
        labels: { severity: warning }
        annotations:
          summary: "queue {{ $labels.queue }} holds {{ $value }}"
      - record: queue:depth:sum
        expr: sum(queue_depth)
`;

let dir: string;
let file: string;
let server: RunningServer;
let clock: ManualClock;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-alert-routes-'));
  file = join(dir, 'rules.yml');
  writeFileSync(file, RULES);
  writeFileSync(join(dir, 'vigil.yaml'), 'rule_files: [rules.yml]\nevaluation_interval: 30s\n');
  clock = new ManualClock(T0);
  const config = loadConfig(
    { config: join(dir, 'vigil.yaml'), listen: '127.0.0.1:0', data: join(dir, 'data'), statsd: 'off' },
    {},
  );
  server = await serve(config, clock);
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function push(value: number): Promise<void> {
  const res = await fetch(`${server.url}/api/v1/import/prometheus`, {
    method: 'POST',
    body: `queue_depth{queue="a"} ${value} ${clock.now()}\n`,
  });
  expect(res.status).toBe(200);
}

async function minute(): Promise<void> {
  clock.advance(60_000);
  await server.rules.settled();
}

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies, their shape is what the assertions check
async function get(path: string): Promise<{ status: number; type: string | null; body: any }> {
  const res = await fetch(`${server.url}${path}`);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
}

describe('alert routes', () => {
  it('serve the alerts, rules and history in Prometheus shapes', async () => {
    let rules = await get('/api/v1/rules');
    expect(rules.body.data.groups[0].rules[0]).toMatchObject({
      health: 'unknown',
      lastEvaluation: '0001-01-01T00:00:00Z',
      state: 'inactive',
    });
    await push(20);
    await minute();
    await push(21);
    await minute();
    await push(22);
    await minute();

    for (const path of ['/api/alerts', '/api/v1/alerts']) {
      const alerts = await get(path);
      expect(alerts.status).toBe(200);
      expect(alerts.type).toBe('application/json; charset=utf-8');
      expect(alerts.body).toEqual({
        status: 'success',
        data: {
          alerts: [
            {
              labels: { alertname: 'QueueBacklog', queue: 'a', severity: 'warning' },
              annotations: { summary: 'queue a holds 22' },
              state: 'firing',
              activeAt: new Date(T0 + 60_000).toISOString(),
              value: '2.2e+01',
              silencedBy: [],
            },
          ],
        },
      });
    }

    rules = await get('/api/rules');
    const evaluated = new Date(T0 + 180_000).toISOString();
    expect(rules.body).toEqual({
      status: 'success',
      data: {
        groups: [
          {
            name: 'queues',
            file,
            interval: 60,
            limit: 0,
            evaluationTime: expect.any(Number),
            lastEvaluation: evaluated,
            rules: [
              {
                state: 'firing',
                name: 'QueueBacklog',
                query: 'queue_depth > 10',
                duration: 60,
                keepFiringFor: 0,
                labels: { severity: 'warning' },
                annotations: { summary: 'queue {{ $labels.queue }} holds {{ $value }}' },
                alerts: [expect.objectContaining({ state: 'firing', value: '2.2e+01' })],
                health: 'ok',
                lastError: '',
                evaluationTime: expect.any(Number),
                lastEvaluation: evaluated,
                type: 'alerting',
              },
              {
                name: 'queue:depth:sum',
                query: 'sum(queue_depth)',
                labels: {},
                health: 'ok',
                lastError: '',
                evaluationTime: expect.any(Number),
                lastEvaluation: evaluated,
                type: 'recording',
              },
            ],
          },
        ],
      },
    });
    const recordOnly = await get('/api/v1/rules?type=record');
    expect(recordOnly.body.data.groups[0].rules.map((r: { type: string }) => r.type)).toEqual(['recording']);
    expect((await get('/api/v1/rules?type=nope')).status).toBe(400);

    const history = await get('/api/alerts/history?alertname=QueueBacklog');
    // The notification pipeline delivered the firing alert to the default log receiver; its attempt is history too.
    const notified = history.body.data.events.filter((e: { kind: string }) => e.kind === 'notification');
    expect(notified).toMatchObject([{ receiver: 'log', status: 'firing', result: 'success', attempt: 1 }]);
    history.body.data.events = history.body.data.events.filter((e: { kind: string }) => e.kind === 'state');
    expect(history.body).toEqual({
      status: 'success',
      data: {
        events: [
          {
            kind: 'state',
            time: new Date(T0 + 120_000).toISOString(),
            labels: { alertname: 'QueueBacklog', queue: 'a', severity: 'warning' },
            from: 'pending',
            to: 'firing',
            value: '21',
          },
          {
            kind: 'state',
            time: new Date(T0 + 60_000).toISOString(),
            labels: { alertname: 'QueueBacklog', queue: 'a', severity: 'warning' },
            from: 'inactive',
            to: 'pending',
            value: '20',
          },
        ],
      },
    });
    const since = await get(`/api/alerts/history?since=${(T0 + 90_000) / 1000}&limit=5`);
    expect(
      since.body.data.events
        .filter((e: { kind: string }) => e.kind === 'state')
        .map((e: { to: string }) => e.to),
    ).toEqual(['firing']);
    const other = await get('/api/alerts/history?alertname=Other');
    expect(other.body.data.events).toEqual([]);
    const bad = await get('/api/alerts/history?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      status: 'error',
      errorType: 'bad_data',
      error: expect.stringContaining('"limit"'),
    });
  });

  it('reloads on POST /-/reload; a broken file is refused with its reason and the old rules keep running', async () => {
    writeFileSync(file, RULES.replace('queue_depth > 10', 'queue_depth >> 10'));
    const refused = await fetch(`${server.url}/-/reload`, { method: 'POST' });
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as { status: string; error: string };
    expect(body.status).toBe('error');
    expect(body.error).toContain(`${file}:6: could not parse expression`);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^vigil_rules_last_reload_successful 0$/m);
    const rules = await get('/api/rules');
    expect(rules.body.data.groups[0].rules[0].query).toBe('queue_depth > 10');

    writeFileSync(file, RULES.replace('queue_depth > 10', 'queue_depth > 100'));
    const ok = await fetch(`${server.url}/-/reload`, { method: 'POST' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'success', data: { groups: 1, rules: 2 } });
    expect((await get('/api/rules')).body.data.groups[0].rules[0].query).toBe('queue_depth > 100');
    expect(await (await fetch(`${server.url}/metrics`)).text()).toMatch(
      /^vigil_rules_last_reload_successful 1$/m,
    );
  });

  it('pushes alert state changes to WebSocket clients subscribed to alerts', async () => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws/metrics`);
    const messages: { type: string; event?: { labels?: Record<string, string> } }[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ subscribe: 'alerts' }));
    // Messages are handled in order: once the reply to a bad one arrives, the subscription is in place.
    ws.send('not json');
    while (!messages.some((m) => m.type === 'error')) await new Promise((resolve) => setTimeout(resolve, 10));
    await push(20);
    await minute();
    // The built-in Watchdog fires too: the rule's own alert is what this test follows.
    const backlog = () =>
      messages.filter((m) => m.type === 'alert' && m.event?.labels?.alertname === 'QueueBacklog');
    await until('the QueueBacklog state change on the live stream', () => backlog().length > 0, {
      intervalMs: 20,
    });
    ws.close();
    expect(backlog()).toEqual([
      {
        type: 'alert',
        event: {
          kind: 'state',
          time: new Date(T0 + 60_000).toISOString(),
          labels: { alertname: 'QueueBacklog', queue: 'a', severity: 'warning' },
          from: 'inactive',
          to: 'pending',
          value: '20',
        },
      },
    ]);
  });

  it('refuses to start on a broken rule file, naming file and line', async () => {
    writeFileSync(
      join(dir, 'broken.yml'),
      'groups:\n  - name: x\n    rules:\n      - alert: A\n        expr: up ==\n',
    );
    const config = loadConfig(
      { listen: '127.0.0.1:0', data: join(dir, 'data2'), statsd: 'off' },
      { VIGIL_RULE_FILES: join(dir, 'broken.yml') },
    );
    await expect(serve(config, clock)).rejects.toThrow(
      `${join(dir, 'broken.yml')}:5: could not parse expression`,
    );
  });
});
