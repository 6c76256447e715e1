import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importSamples } from '../../../../test/support/import-samples.js';
import { type RunningServer, serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/config/config-error.js';
import { BADGE_COLORS } from '../../src/status/status-badge.js';

const TOKEN = 'status-test-token-0123456789';
const PUSH_TOKEN = 'pushsecret12345';
const DAY = 86_400_000;
const NOW = Math.floor(Date.now() / 60_000) * 60_000;
const TODAY = NOW - (NOW % DAY);
const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const CONFIG = `
status_pages:
  - slug: acme
    title: Acme status
    description: What Acme's customers see.
    groups:
      - name: Core
        components:
          - { id: api, name: API, target: api }
          - { id: 7, name: OpenAI, health: openai }
          - { name: Checkout flow, query: checkout_ok }
          - { name: Nightly job, push: ${PUSH_TOKEN} }
`;

let dir: string;
let server: RunningServer;
let status: string;
const auth = { authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-status-pages-'));
  const file = join(dir, 'vigil.yaml');
  writeFileSync(file, CONFIG);
  const flags = { listen: '127.0.0.1:0', data: join(dir, 'data'), statsd: 'off' };
  // The history is written first, by a server without pages: a page is built once at start-up and
  // then served for 30 s, so the one under test must start on the finished history.
  const writer = await serve(loadConfig(flags, { VIGIL_TOKEN: TOKEN }));
  // From two days ago at midnight UTC to now, one sample a minute. The API target is down for the
  // first half of the day before yesterday (exactly 50% that day), up otherwise: more than 24 hours
  // ago at any time of today, so its 24-hour error rate never makes it degraded now. Its scrapes take
  // 250 ms, the newest 850 ms. OpenAI's check
  // fails from 10 minutes ago; checkout_ok is 1 except yesterday's first 6 hours (75% that day).
  const lines: string[] = [];
  for (let t = TODAY - 2 * DAY; t <= NOW; t += 60_000) {
    const yesterday = t >= TODAY - DAY && t < TODAY;
    const up = t >= TODAY - 2 * DAY && t < TODAY - 2 * DAY + DAY / 2 ? 0 : 1;
    const checkout = yesterday && t < TODAY - DAY + DAY / 4 ? 0 : 1;
    lines.push(
      `up{job="api",instance="10.0.0.1:9100"} ${up} ${t}`,
      `scrape_duration_seconds{job="api",instance="10.0.0.1:9100"} ${t === NOW ? 0.85 : 0.25} ${t}`,
      `vigil_provider_up{provider="openai",job="svc",instance="x"} ${t > NOW - 10 * 60_000 ? 0 : 1} ${t}`,
      `checkout_ok ${checkout} ${t}`,
    );
  }
  await importSamples(writer.url, lines, auth);
  await writer.close();
  server = await serve(
    loadConfig({ ...flags, config: file, statusListen: '127.0.0.1:0' }, { VIGIL_TOKEN: TOKEN }),
  );
  status = server.statusUrl!;
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface KumaPage {
  config: { slug: string; title: string };
  incident: { title: string; content: string; style: string } | null;
  publicGroupList: { name: string; monitorList: { id: string | number; name: string }[] }[];
  status: { state: string; summary: string };
  incidents: { id: string; title: string; state: string; updates: { state: string; body: string }[] }[];
}

describe('status pages', () => {
  it('serves Uptime Kuma’s JSON with 90 UTC days of uptime from the stored samples, hand-checked', async () => {
    const page = (await (await fetch(`${status}/api/status-page/acme`)).json()) as KumaPage;
    expect(page.config).toMatchObject({ slug: 'acme', title: 'Acme status' });
    expect(page.publicGroupList[0]!.monitorList.map((m) => m.id)).toEqual([
      'api',
      7,
      'checkout-flow',
      'nightly-job',
    ]);
    // OpenAI is down now, the others up or without data: a partial outage.
    expect(page.status).toEqual(expect.objectContaining({ state: 'down', summary: 'Partial outage' }));
    const beats = (await (await fetch(`${status}/api/status-page/heartbeat/acme`)).json()) as {
      heartbeatList: Record<string, { status: number; time: string; msg: string }[]>;
      uptimeList: Record<string, number>;
    };
    const api = beats.heartbeatList.api!;
    expect(api.slice(0, 3).map((b) => [b.time.slice(0, 10), b.status, b.msg])).toEqual([
      [date(TODAY - 2 * DAY), 0, `50.00% up on ${date(TODAY - 2 * DAY)}`],
      [date(TODAY - DAY), 1, `100.00% up on ${date(TODAY - DAY)}`],
      [date(TODAY), 1, `100.00% up on ${date(TODAY)}`],
    ]);
    expect(api[3]!.status).toBe(1); // now
    expect(beats.heartbeatList['7']!.at(-1)!.status).toBe(0);
    // The query component is read once an hour over 90 days: yesterday 18 of 24 hours up.
    expect(beats.heartbeatList['checkout-flow']![1]!.msg).toBe(`75.00% up on ${date(TODAY - DAY)}`);
    // No heartbeat was ever pushed: no data, no beat.
    expect(beats.heartbeatList['nightly-job']).toEqual([]);
    expect(beats.uptimeList.api_24).toBeGreaterThan(0.49);
  });

  it('renders one self-contained page with a bar for each of 90 days', async () => {
    const res = await fetch(`${status}/status/acme`);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    const html = await res.text();
    expect(html).toContain('<h1>Acme status</h1>');
    expect(html).toContain('Partial outage');
    expect(html.match(/<svg class="bars"/g)).toHaveLength(4);
    expect(html.match(/<rect /g)).toHaveLength(4 * 90);
    expect(html).toContain(`<title>${date(TODAY - 2 * DAY)}: 50.00% up</title>`);
    expect(html).not.toMatch(/<script|<link rel="stylesheet"|src=/);
  });

  it('answers Uptime Kuma’s badges, with its label and colour parameters', async () => {
    const badge = async (path: string, under = '/api/badge/') => {
      const res = await fetch(`${status}${under}${path}`);
      expect(res.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
      return res.text();
    };
    expect(await badge('api/status')).toContain('aria-label="Status: Up"');
    expect(await badge('7/status?downLabel=Offline&label=OpenAI')).toContain('aria-label="OpenAI: Offline"');
    expect(await badge('api/uptime/1')).toContain('aria-label="Uptime (1h): 100%"');
    expect(await badge('api/uptime')).toContain('Uptime (24h)');
    // Uptime Kuma 2's durations: the whole history, down 720 of its minutes.
    const runs = (NOW - (TODAY - 2 * DAY)) / 60_000 + 1;
    const all = `${Math.round(((runs - 720) / runs) * 10_000) / 100}%`;
    expect(await badge('api/uptime/30d')).toContain(`aria-label="Uptime (30d): ${all}"`);
    expect(await badge('api/uptime/1y')).toContain(`aria-label="Uptime (1y): ${all}"`);
    expect(await badge('api/uptime/90m')).toContain('aria-label="Uptime (90m): 100%"');
    // As Kuma's: ping is the mean response time over the window, response the newest.
    expect(await badge('api/ping')).toContain('aria-label="Avg. Ping (24h): 250ms"');
    expect(await badge('api/ping/7d')).toContain('aria-label="Avg. Ping (7d): 250ms"');
    expect(await badge('api/avg-response/24')).toContain('aria-label="Avg. Response (24h): 250ms"');
    expect(await badge('api/response')).toContain('aria-label="Response: 850ms"');
    expect(await badge('checkout-flow/ping')).toContain('aria-label="Avg. Ping (24h): N/A"');
    // As Uptime Kuma: an id no page shows (a removed component) is a grey N/A badge with no label,
    // 200 and cached as the others, so a README keeps an image rather than a broken one.
    for (const path of [
      'nope/status',
      'nope/uptime',
      'nope/uptime/30d',
      'nope/ping/7d',
      'nope/avg-response',
      'nope/response',
    ]) {
      const missing = await fetch(`${status}/api/badge/${path}`);
      expect([path, missing.status, missing.headers.get('cache-control')]).toEqual([
        path,
        200,
        'public, max-age=60',
      ]);
      expect(missing.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
      const svg = await missing.text();
      expect(svg).toContain('aria-label="N/A"');
      expect(svg).toContain(`fill="${BADGE_COLORS.unknown}"`);
    }
    // The page's own badge, as Uptime Kuma's: OpenAI down, the API up, so degraded; no label.
    const whole = await badge('acme/badge', '/api/status-page/');
    expect(whole).toContain('aria-label="Degraded"');
    expect(whole).toContain(`fill="${BADGE_COLORS.degraded}"`);
    expect(await badge('acme/badge?label=Acme&partialColor=F6BE00', '/api/status-page/')).toMatch(
      /aria-label="Acme: Degraded".*fill="#F6BE00"/,
    );
    const noPage = await fetch(`${status}/api/status-page/nope/badge`);
    expect([noPage.status, noPage.headers.get('cache-control')]).toEqual([200, 'public, max-age=60']);
    expect(await noPage.text()).toMatch(new RegExp(`aria-label="N/A".*fill="${BADGE_COLORS.unknown}"`));
    // A bad duration is refused for an id no page shows too, not hidden behind its N/A badge.
    for (const [id, duration] of [
      ...['0', '2y', '30s', '1.5h'].map((d) => ['api', d]),
      ['nope', '2y'],
      ['nope', '1.5h'],
    ]) {
      const bad = await fetch(`${status}/api/badge/${id}/uptime/${duration}`);
      expect([id, duration, bad.status]).toEqual([id, duration, 400]);
      expect(((await bad.json()) as { error: { message: string } }).error.message).toBe(
        `duration: got "${duration}", expected hours (24) or a number with a unit m, h, d, w, M (30 days) or y (365 days), from 1 minute to 1 year`,
      );
    }
  });

  it('answers nothing else on the status listener: every other path is 404, writes are refused', async () => {
    for (const path of [
      '/',
      '/metrics',
      '/-/healthy',
      '/api/health',
      '/api/metrics',
      '/api/v1/query?query=up',
      '/api/v1/series?match[]=up',
      '/api/v1/status/config',
      '/api/alerts',
      '/api/incidents',
      '/api/status-pages',
      '/api/status-pages/acme/incidents',
      '/api/reports',
      '/api/dashboards',
      '/assets/app.js',
      '/ack/x',
      `/api/push/${PUSH_TOKEN}`,
      '/status',
      '/statusx/acme',
    ]) {
      const res = await fetch(`${status}${path}`, { headers: auth });
      expect([path, res.status]).toEqual([path, 404]);
    }
    const write = await fetch(`${status}/api/status-pages/acme/incidents`, {
      method: 'POST',
      headers: auth,
      body: '{"title":"x","body":"y"}',
    });
    expect(write.status).toBe(404);
    const post = await fetch(`${status}/status/acme`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect((await fetch(`${status}/status/nope`)).status).toBe(404);
  });

  it('publishes nothing it was not given: no push token, target address or internal labels', async () => {
    const answers = await Promise.all(
      ['/status/acme', '/api/status-page/acme', '/api/status-page/heartbeat/acme'].map(async (p) =>
        (await fetch(`${status}${p}`)).text(),
      ),
    );
    for (const text of answers) {
      expect(text).not.toContain(PUSH_TOKEN);
      expect(text).not.toContain(PUSH_TOKEN.slice(0, 4));
      expect(text).not.toContain('10.0.0.1');
      expect(text).not.toContain('checkout_ok');
      expect(text).not.toContain('instance');
      expect(text).not.toContain('"api"}');
    }
  });

  it('on the main listener, answers the status paths without the token and the rest only with it', async () => {
    expect((await fetch(`${server.url}/status/acme`)).status).toBe(200);
    expect((await fetch(`${server.url}/api/badge/api/status`)).status).toBe(200);
    expect((await fetch(`${server.url}/api/status-page/acme`)).status).toBe(200);
    expect((await fetch(`${server.url}/api/status-pages`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/v1/query?query=up`)).status).toBe(401);
    const post = await fetch(`${server.url}/api/status-pages/acme/incidents`, {
      method: 'POST',
      body: '{"title":"x","body":"y"}',
    });
    expect(post.status).toBe(401);
  });

  it('publishes incidents people post and update through the API, and only those', async () => {
    // vigil's own incident machinery has open incidents and alerts of its own; none reaches the page.
    const before = (await (await fetch(`${status}/api/status-page/acme`)).json()) as KumaPage;
    expect(before.incident).toBeNull();
    expect(before.incidents).toEqual([]);
    const created = await fetch(`${server.url}/api/status-pages/acme/incidents`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Checkout errors', body: 'Some payments fail; we are looking into it.' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const open = (await (await fetch(`${status}/api/status-page/acme`)).json()) as KumaPage;
    expect(open.incident).toMatchObject({
      title: 'Checkout errors',
      content: 'Some payments fail; we are looking into it.',
      style: 'danger',
    });
    const updated = await fetch(`${server.url}/api/status-pages/acme/incidents/${id}/updates`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ state: 'resolved', body: 'Fixed <b>for good</b>.' }),
    });
    expect(updated.status).toBe(200);
    const after = (await (await fetch(`${status}/api/status-page/acme`)).json()) as KumaPage;
    expect(after.incident).toBeNull();
    expect(after.incidents[0]!.updates.map((u) => u.state)).toEqual(['investigating', 'resolved']);
    const html = await (await fetch(`${status}/status/acme`)).text();
    expect(html).toContain('<h2>Checkout errors</h2>');
    expect(html).toContain('Fixed &lt;b&gt;for good&lt;/b&gt;.');
    const bad = await fetch(`${server.url}/api/status-pages/acme/incidents/${id}/updates`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ state: 'fixed', body: 'x' }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toBe(
      'state: got "fixed", expected one of investigating, identified, monitoring, resolved',
    );
    const missing = await fetch(`${server.url}/api/status-pages/acme/incidents/nope/updates`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ state: 'resolved', body: 'x' }),
    });
    expect(missing.status).toBe(404);
  });
});

describe('status_pages in vigil.yaml', () => {
  const failure = (yaml: string) => {
    const file = join(mkdtempSync(join(tmpdir(), 'vigil-status-config-')), 'vigil.yaml');
    writeFileSync(file, yaml);
    try {
      loadConfig({ config: file }, {});
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('expected a ConfigError');
  };
  const page = (components: string) =>
    `status_pages:\n  - slug: s\n    title: T\n    groups:\n      - name: G\n        components:\n${components}`;

  it('names what is wrong', () => {
    expect(failure(page('          - { name: A }\n'))).toMatch(
      /status_pages\.0\.groups\.0\.components\.0: .*expected exactly one of health \(a check name\), target \(job or job\/instance\), push \(a push token\) or query \(PromQL\)/,
    );
    expect(failure(page('          - { name: A, target: a }\n          - { name: a, health: b }\n'))).toBe(
      'status_pages: component id "a" is used by "A" and "a" (page "s"); badge URLs need one component per id: set id on one of them',
    );
    expect(failure('status_pages:\n  - { slug: Bad Slug, title: T, groups: [] }\n')).toMatch(
      /status_pages\.0\.slug: got "Bad Slug", expected a slug of lower-case letters, digits, _ and -/,
    );
  });

  it('refuses a query component that is not PromQL at start-up', async () => {
    const d = mkdtempSync(join(tmpdir(), 'vigil-status-bad-query-'));
    const file = join(d, 'vigil.yaml');
    writeFileSync(file, page('          - { name: A, query: "sum(" }\n'));
    await expect(
      serve(loadConfig({ config: file, listen: '127.0.0.1:0', data: join(d, 'data'), statsd: 'off' }, {})),
    ).rejects.toThrow(/^status_pages: component "A" of "s": query: /);
    rmSync(d, { recursive: true, force: true });
  });

  it('takes heartbeats of a push monitor it names without the API token, and no others', async () => {
    const named = await fetch(`${server.url}/api/push/${PUSH_TOKEN}?status=up`);
    expect([named.status, await named.json()]).toEqual([200, { ok: true }]);
    expect((await fetch(`${server.url}/api/push/someone-else?status=up`)).status).toBe(404);
  });
});

describe('vigil status', () => {
  it('posts, updates and lists a status page’s incidents through the API', async () => {
    const { runStatus } = await import('../../src/cli/status-command.js');
    const out: string[] = [];
    const err: string[] = [];
    const run = (...args: string[]) =>
      runStatus(
        [...args, '--url', server.url, '--token', TOKEN],
        (t) => out.push(t),
        (l) => err.push(l),
      );
    expect(await run('post', 'acme', '--title', 'Slow logins', '--body', 'Logins take 10 s.')).toBe(0);
    const { id } = JSON.parse(out.pop()!) as { id: string };
    expect(await run('update', 'acme', id, '--state', 'monitoring', '--body', 'A fix is out.')).toBe(0);
    expect(await run('list', 'acme')).toBe(0);
    const listed = JSON.parse(out.pop()!) as { incidents: { id: string; state: string }[] };
    expect(listed.incidents.find((i) => i.id === id)?.state).toBe('monitoring');
    const page = (await (await fetch(`${status}/api/status-page/acme`)).json()) as KumaPage;
    expect(page.incident).toMatchObject({ title: 'Slow logins', content: 'A fix is out.', style: 'info' });
    expect(await run('post', 'nope', '--title', 'x', '--body', 'y')).toBe(1);
    expect(err.pop()).toBe('vigil status: 404: no status page "nope"');
    expect(await run('post', 'acme', '--body', 'no title')).toBe(1);
    expect(err.pop()).toBe('vigil status: 400: title: expected text of 1 to 200 characters');
  });
});
