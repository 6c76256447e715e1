import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../../../../test/support/until.js';
import { serve } from '../../../src/cli/serve.js';
import { loadConfig } from '../../../src/config/config.js';
import { alert, deliveringPipeline, T0 } from './pipeline-fixture.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const BASIC = `Basic ${Buffer.from('alice:s3cret-pass').toString('base64')}`;

/**
 * A receiver on 127.0.0.1 that wants alice's basic authentication; `status` answers a request that
 * has it, and its body echoes the URL it was sent to, credentials and all, as some receivers do.
 */
async function receiver(status: number) {
  const authorizations: (string | undefined)[] = [];
  const server: Server = createServer((req, res) => {
    authorizations.push(req.headers.authorization);
    req.resume();
    req.on('end', () => {
      const code = req.headers.authorization === BASIC ? status : 401;
      res.writeHead(code, { 'content-type': 'text/plain' });
      res.end(
        code === 200
          ? '# TYPE probe gauge\nprobe 1\n'
          : `rejected http://alice:s3cret-pass@${req.headers.host}${req.url}`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as { port: number }).port;
  return { authorizations, url: (path: string) => `http://alice:s3cret-pass@127.0.0.1:${port}${path}` };
}

describe('credentials in URLs', () => {
  it('a webhook URL with user:password@ delivers with basic authentication; no error recorded (history, live stream, log) quotes the password or the token', async () => {
    const ok = await receiver(200);
    const failing = await receiver(500);
    const yaml = `
route:
  receiver: ok
  group_wait: 0s
  routes:
    - {matchers: ['alertname=~".+"'], receiver: failing, continue: true}
    - {matchers: ['alertname=~".+"'], receiver: ok}
receivers:
  - {name: ok, webhook_configs: [{url: '${ok.url('/hook?token=t0k3n-value')}'}]}
  - {name: failing, webhook_configs: [{url: '${failing.url('/hook?token=t0k3n-value')}'}]}
`;
    const { pipeline, clock, events } = deliveringPipeline(yaml, {
      timeoutMs: 2_000,
      maxAttempts: 2,
      initialDelayMs: 100,
      jitter: 0,
    });
    cleanups.push(() => pipeline.close());
    pipeline.receive([alert({ alertname: 'Down' }, T0 - 60_000, T0 + 3_600_000)]);
    await until(
      'the failing receiver to have given up',
      () => {
        clock.advance(100);
        return events.some((e) => e.receiver === 'failing' && e.result === 'failed');
      },
      { intervalMs: 5 },
    );
    expect(ok.authorizations).toEqual([BASIC]);
    expect(failing.authorizations).toEqual([BASIC, BASIC]);
    const failed = events.filter((e) => e.receiver === 'failing');
    expect(failed.map((e) => e.result)).toEqual(['retry', 'failed']);
    for (const e of failed) {
      expect(e.error).toContain('→ 500 rejected http://alice:xxxxx@127.0.0.1:');
      expect(e.error).toContain('token=xxxxx');
      expect(JSON.stringify(e)).not.toMatch(/s3cret|t0k3n/);
    }
  });

  it('a scrape target with user:password@ is scraped with basic authentication; /api/v1/targets, /api/v1/status/config and /api/health do not show the password', async () => {
    const target = await receiver(200);
    const dir = mkdtempSync(join(tmpdir(), 'vigil-url-credentials-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const server = await serve(
      loadConfig(
        {
          listen: '127.0.0.1:0',
          data: dir,
          statsd: 'off',
          scrape: [target.url('/metrics?token=t0k3n-value')],
        },
        { VIGIL_SCRAPE_INTERVAL: '1s' },
      ),
    );
    cleanups.push(() => server.close());
    const get = async (path: string) => (await fetch(`${server.url}${path}`)).text();
    const targets = await until('the target scraped', async () => {
      const text = await get('/api/v1/targets');
      return text.includes('"health":"up"') && text;
    });
    expect(target.authorizations[0]).toBe(BASIC);
    expect(targets).toContain('"health":"up"');
    expect(targets).toContain('"scrapeUrl":"http://alice:xxxxx@127.0.0.1:');
    for (const path of ['/api/v1/status/config', '/api/health', '/api/v1/targets']) {
      expect(await get(path), path).not.toMatch(/s3cret|t0k3n/);
    }
  });
});
