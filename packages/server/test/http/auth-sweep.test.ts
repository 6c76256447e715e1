import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';

const TOKEN = 'sweep-token-long-enough-0123456789';

let server: RunningServer;
let data: string;

beforeAll(async () => {
  data = mkdtempSync(join(tmpdir(), 'vigil-auth-sweep-'));
  server = await serve(loadConfig({ listen: '127.0.0.1:0', data, statsd: 'off' }, { VIGIL_TOKEN: TOKEN }));
});
afterAll(async () => {
  await server.close();
  rmSync(data, { recursive: true, force: true });
});

/** A concrete path for a route pattern: every `:param` and `*` filled in. */
const concrete = (pattern: string) =>
  pattern
    .replace(/:[a-zA-Z]+/g, 'sweep')
    .replace(/\*$/, pattern.startsWith('/metrics/job/') ? 'sweep' : 'x.js');

function ask(
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; authenticate: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, authenticate: res.headers['www-authenticate'] }),
      );
    });
    req.on('error', reject);
    req.end(method === 'GET' || method === 'HEAD' || method === 'DELETE' ? undefined : '{}');
  });
}

describe('every route needs the token, except the allow-list', () => {
  it('the router lists the routes of every part of the server', () => {
    const paths = server.routes.map((r) => r.path);
    // Not a list to test against, only a guard that the enumeration sees all the route files.
    for (const path of ['/api/v1/query', '/api/v1/write', '/metrics/job/*', '/api/v2/silences', '/ack/:id'])
      expect(paths).toContain(path);
    expect(server.routes.length).toBeGreaterThan(60);
  });

  it('opens exactly the probes, the dashboard shell, signed acknowledge links, push heartbeats and the public status pages', () => {
    expect([...new Set(server.routes.filter((r) => r.open).map((r) => r.path))]).toEqual([
      '/-/healthy',
      '/-/ready',
      '/api/push/:token',
      '/',
      '/assets/*',
      '/ack/:id',
      '/status/:slug',
      '/api/status-page/:slug',
      '/api/status-page/heartbeat/:slug',
      '/api/status-page/:slug/badge',
      '/api/badge/:id/status',
      '/api/badge/:id/uptime',
      '/api/badge/:id/uptime/:duration',
      '/api/badge/:id/ping',
      '/api/badge/:id/ping/:duration',
      '/api/badge/:id/avg-response',
      '/api/badge/:id/avg-response/:duration',
      '/api/badge/:id/response',
    ]);
  });

  it('answers 401 with a WWW-Authenticate challenge on every other route and method, without or with a wrong token', async () => {
    const checked: string[] = [];
    for (const route of server.routes) {
      for (const method of route.methods) {
        const path = concrete(route.path);
        const without = await ask(method, path);
        const wrong = await ask(method, path, { authorization: `Bearer ${TOKEN.replace(/.$/, 'x')}` });
        if (route.open) {
          expect(without.status, `${method} ${path}`).not.toBe(401);
        } else {
          expect([without.status, wrong.status], `${method} ${path}`).toEqual([401, 401]);
          expect(without.authenticate, `${method} ${path}`).toMatch(/^Bearer /);
        }
        checked.push(`${method} ${route.path}`);
      }
    }
    expect(checked.length).toBeGreaterThan(70);
  }, 60_000);

  it('lets the token through on every route (so the 401s above are the token, not the route)', async () => {
    for (const route of server.routes) {
      for (const method of route.methods) {
        const path = concrete(route.path);
        const { status } = await ask(method, path, { authorization: `Bearer ${TOKEN}` });
        expect(status, `${method} ${path}`).not.toBe(401);
        expect(status, `${method} ${path}`).toBeLessThan(500);
      }
    }
  }, 60_000);

  it('refuses paths no route matches with 401 too, so the routes cannot be discovered without the token', async () => {
    expect((await ask('GET', '/no/such/route')).status).toBe(401);
    expect((await ask('DELETE', '/-/healthy')).status).toBe(401);
    expect((await ask('GET', '/no/such/route', { authorization: `Bearer ${TOKEN}` })).status).toBe(404);
  });

  it('takes push heartbeats by the token in the path, once the monitor exists (Uptime Kuma style)', async () => {
    const heartbeat = async (token: string, headers: Record<string, string> = {}) => {
      const res = await fetch(`${server.url}/api/push/${token}?status=up&ping=12`, { headers });
      return { status: res.status, body: await res.json() };
    };
    // Nobody without the API token makes up monitors (and series).
    const unknown = await heartbeat('new-backup-job');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ ok: false, msg: expect.stringMatching(/^Monitor not found/) });
    expect(
      await heartbeat('new-backup-job', { authorization: `Bearer ${TOKEN.replace(/.$/, 'x')}` }),
    ).toMatchObject({ status: 404 });
    // Its first heartbeat with the token creates it; from then on the path's token is enough.
    expect(await heartbeat('new-backup-job', { authorization: `Bearer ${TOKEN}` })).toEqual({
      status: 200,
      body: { ok: true },
    });
    expect(await heartbeat('new-backup-job')).toEqual({ status: 200, body: { ok: true } });
    const stored = await fetch(
      `${server.url}/api/v1/query?${new URLSearchParams({ query: 'vigil_push_up{monitor="new-backup-job"}' })}`,
      { headers: { authorization: `Bearer ${TOKEN}` } },
    );
    expect((await stored.json()).data.result).toHaveLength(1);
    // The rest of the ingest API stays behind the token.
    expect((await ask('POST', '/api/v1/import/prometheus')).status).toBe(401);
  });

  it('refuses the live stream WebSocket without the token', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/ws/metrics`, {
        agent: false,
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        },
      });
      req.on('response', (res) => resolve(res.statusCode ?? 0));
      req.on('upgrade', () => resolve(101));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(401);
  });
});
