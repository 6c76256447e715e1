import { once } from 'node:events';
import { createServer as createHttpServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/base/clock.js';
import { HealthMonitor } from '../../src/health/health-monitor.js';
import { httpCheck } from '../../src/health/http-check.js';
import { tcpCheck } from '../../src/health/tcp-check.js';

let server: Server;
let base: string;
const hanging = new Set<import('node:http').ServerResponse>();

beforeAll(async () => {
  server = createHttpServer((req, res) => {
    if (req.url === '/ok') res.end('{"status":"ok","models":["gpt-4o"]}');
    else if (req.url === '/teapot') res.writeHead(418).end('short and stout');
    else if (req.url === '/hang') hanging.add(res);
    else res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  server.close();
});

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const s = createTcpServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address() as AddressInfo;
  s.close();
  await once(s, 'close');
  return port;
}

describe('httpCheck', () => {
  const signal = () => new AbortController().signal;

  it('is up on a status in range, and checks the body when asked', async () => {
    await expect(httpCheck({ url: `${base}/ok` })(signal())).resolves.toBeUndefined();
    await expect(
      httpCheck({ url: `${base}/ok`, bodyMatch: '"status":"ok"' })(signal()),
    ).resolves.toBeUndefined();
    await expect(httpCheck({ url: `${base}/ok`, bodyMatch: /gpt-4o/g })(signal())).resolves.toBeUndefined();
    // A /g pattern keeps lastIndex between test() calls; the check must not depend on it.
    const g = /gpt-4o/g;
    const check = httpCheck({ url: `${base}/ok`, bodyMatch: g });
    await check(signal());
    await expect(check(signal())).resolves.toBeUndefined();
    await expect(httpCheck({ url: `${base}/teapot`, status: [400, 499] })(signal())).resolves.toBeUndefined();
  });

  it('is down on a status out of range, a body that does not match, or a refused connection', async () => {
    await expect(httpCheck({ url: `${base}/teapot` })(signal())).rejects.toThrow(
      'HTTP 418, expected 200-299',
    );
    await expect(httpCheck({ url: `${base}/ok`, bodyMatch: /claude/ })(signal())).rejects.toThrow(
      'response body does not match /claude/',
    );
    const port = await closedPort();
    const m = new HealthMonitor({ env: {} });
    m.register({ name: 'gone', check: httpCheck({ url: `http://127.0.0.1:${port}/` }) });
    const result = await m.run('gone');
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/^fetch failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
  });

  it('is cut off by the monitor timeout, which aborts the request', async () => {
    const clock = new ManualClock(0);
    const m = new HealthMonitor({ clock, env: {} });
    m.register({ name: 'hang', check: httpCheck({ url: `${base}/hang` }), timeoutMs: 5000 });
    const run = m.run('hang');
    while (hanging.size === 0) await new Promise((resolve) => setImmediate(resolve));
    const [res] = hanging;
    clock.advance(5000);
    expect(await run).toMatchObject({ ok: false, error: 'timeout after 5000 ms', responseTimeMs: 5000 });
    await once(res!, 'close');
  });

  it('rejects bad options', () => {
    expect(() => httpCheck({ url: 'not a url' })).toThrow(/httpCheck url: got "not a url"/);
    expect(() => httpCheck({ url: 'ftp://x/' })).toThrow(/httpCheck url/);
    expect(() => httpCheck({ url: base, status: [300, 200] })).toThrow(/httpCheck status/);
    expect(() => httpCheck({ url: base, bodyMatch: 3 as never })).toThrow(/httpCheck bodyMatch: got 3/);
  });
});

describe('tcpCheck', () => {
  it('is up when the port accepts, down when it refuses', async () => {
    const port = Number(new URL(base).port);
    await expect(
      tcpCheck({ host: '127.0.0.1', port })(new AbortController().signal),
    ).resolves.toBeUndefined();
    const closed = await closedPort();
    await expect(tcpCheck({ host: '127.0.0.1', port: closed })(new AbortController().signal)).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });

  it('rejects bad options', () => {
    expect(() => tcpCheck({ port: 70_000 })).toThrow(
      /tcpCheck port: got 70000, expected an integer from 1 to 65535/,
    );
    expect(() => tcpCheck({ port: 80, host: '' })).toThrow(/tcpCheck host/);
  });
});
