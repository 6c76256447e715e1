import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type RunningServer, serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';

const T0 = Date.parse('2026-06-01T12:00:00Z');
const dirs: string[] = [];
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function start(data = mkdtempSync(join(tmpdir(), 'vigil-silences-')), clock = new ManualClock(T0)) {
  dirs.push(data);
  server = await serve(loadConfig({ listen: '127.0.0.1:0', data, statsd: 'off' }, {}), clock);
  return { server, data, clock };
}

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${server!.url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : {
          body: typeof body === 'string' ? body : JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the tests read JSON bodies of several shapes
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as any };
}

const SILENCE = {
  matchers: [{ name: 'alertname', value: 'Disk.*', isRegex: true, isEqual: true }],
  startsAt: '2026-06-01T12:00:00Z',
  endsAt: '2026-06-01T14:00:00Z',
  createdBy: 'ops',
  comment: 'disk swap',
};

describe('silences API', () => {
  it('creates, lists, marks alerts silenced, expires, and keeps silences across a restart', async () => {
    const { data, clock } = await start();
    const created = await call('POST', '/api/silences', SILENCE);
    expect(created.status).toBe(200);
    expect(created.type).toBe('application/json; charset=utf-8');
    const id = created.body.silenceID as string;
    const listed = await call('GET', '/api/v2/silences');
    expect(listed.body).toEqual([
      {
        id,
        matchers: SILENCE.matchers,
        startsAt: '2026-06-01T12:00:00.000Z',
        endsAt: '2026-06-01T14:00:00.000Z',
        createdBy: 'ops',
        comment: 'disk swap',
        status: { state: 'active' },
        updatedAt: '2026-06-01T12:00:00.000Z',
      },
    ]);
    expect(
      (
        await call('POST', '/api/v2/alerts', [
          { labels: { alertname: 'DiskFull' }, startsAt: '2026-06-01T11:59:00Z' },
        ])
      ).status,
    ).toBe(200);
    const alerts = await call('GET', '/api/v2/alerts');
    // Beside the built-in, always-firing Watchdog.
    expect(
      alerts.body.find((a: { labels: { alertname: string } }) => a.labels.alertname === 'DiskFull'),
    ).toMatchObject({
      labels: { alertname: 'DiskFull' },
      status: { state: 'suppressed', silencedBy: [id], inhibitedBy: [] },
    });
    expect(server!.notifications.silencedBy({ alertname: 'DiskFull' })).toEqual([id]);

    await server!.close();
    server = undefined;
    expect(JSON.parse(readFileSync(join(data, 'silences.json'), 'utf8')).silences).toHaveLength(1);
    await start(data, clock);
    expect((await call('GET', `/api/v2/silence/${id}`)).body.status.state).toBe('active');
    expect((await call('DELETE', `/api/silences/${id}`)).status).toBe(200);
    expect((await call('GET', '/api/silences')).body[0].status.state).toBe('expired');
    expect((await call('DELETE', `/api/silences/${id}`)).body.error).toMatch(/already expired/);
  });

  it('refuses bad JSON, bad matchers and bad times with 400 and the reason', async () => {
    await start();
    const badJson = await call('POST', '/api/silences', '{nope');
    expect(badJson.status).toBe(400);
    expect(badJson.body).toMatchObject({ status: 'error', errorType: 'bad_data' });
    expect(badJson.body.error).toMatch(/not valid JSON/);
    const badRegex = await call('POST', '/api/v2/silences', {
      ...SILENCE,
      matchers: [{ name: 'a', value: '(', isRegex: true }],
    });
    expect(badRegex.status).toBe(400);
    expect(badRegex.body.error).toMatch(/matchers\[0\].*regular expression/);
    const everything = await call('POST', '/api/v2/silences', {
      ...SILENCE,
      matchers: [{ name: 'a', value: '.*', isRegex: true }],
    });
    expect(everything.body.error).toMatch(/must not match the empty string/);
    const badTime = await call('POST', '/api/silences', { ...SILENCE, endsAt: 'tomorrow' });
    expect(badTime.body.error).toMatch(/endsAt: expected an RFC 3339 time/);
    const badAlert = await call('POST', '/api/v2/alerts', [{ labels: { 'bad-name': 'x' } }]);
    expect(badAlert.status).toBe(400);
    expect(badAlert.body.error).toMatch(/\[0\]\.labels: "bad-name" is not a valid label name/);
    expect((await call('DELETE', '/api/v2/silence/nope')).status).toBe(404);
    expect((await call('GET', '/api/silences')).body).toEqual([]);
  });

  it('reads typed matchers for the dashboard as silences take them, or says what it could not read', async () => {
    await start();
    const text = 'alertname="HighLatency", severity=~"crit.*", service!="a \\"quoted\\" one", team!~db';
    const parsed = await call('GET', `/api/matchers?${new URLSearchParams({ text })}`);
    expect(parsed.status).toBe(200);
    expect(parsed.body).toEqual([
      { name: 'alertname', value: 'HighLatency', isRegex: false, isEqual: true },
      { name: 'severity', value: 'crit.*', isRegex: true, isEqual: true },
      { name: 'service', value: 'a "quoted" one', isRegex: false, isEqual: false },
      { name: 'team', value: 'db', isRegex: true, isEqual: false },
    ]);
    // What it answers is what POST /api/silences takes.
    const created = await call('POST', '/api/silences', { ...SILENCE, matchers: parsed.body });
    expect(created.status).toBe(200);
    const broken = await call(
      'GET',
      `/api/matchers?${new URLSearchParams({ text: 'alertname HighLatency' })}`,
    );
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ status: 'error', errorType: 'bad_data' });
    expect(broken.body.error).toMatch(/^text: .*expected name="value" with =, !=, =~ or !~/);
    const badRegex = await call('GET', `/api/matchers?${new URLSearchParams({ text: 'a=~"("' })}`);
    expect(badRegex.body.error).toMatch(/regular expression/);
  });

  it('rejects a notification configuration naming the key, the value and the expectation', async () => {
    const data = mkdtempSync(join(tmpdir(), 'vigil-silences-'));
    dirs.push(data);
    const file = join(data, 'vigil.yaml');
    writeFileSync(
      file,
      'notifications:\n  route: {receiver: team, group_wait: soon}\n  receivers: [{name: team}]\n',
    );
    await expect(
      serve(
        loadConfig({ config: file, listen: '127.0.0.1:0', data, statsd: 'off' }, {}),
        new ManualClock(T0),
      ),
    ).rejects.toThrow(
      'notifications: route.group_wait: got "soon", expected a duration such as 30s, 5m or 4h',
    );
  });
});
