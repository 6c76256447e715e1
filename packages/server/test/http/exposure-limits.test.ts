import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { toPrometheusText } from '@vigil/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { until } from '../../../../test/support/until.js';
import { type RunningServer, serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}): Promise<RunningServer> {
  const data = mkdtempSync(join(tmpdir(), 'vigil-exposure-'));
  dirs.push(data);
  return serve(loadConfig({ listen: '127.0.0.1:0', data, statsd: 'off' }, env));
}

function post(
  server: RunningServer,
  path: string,
  body: Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method: 'POST', headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A connection of its own; resolves once connected. */
function open(server: RunningServer): Promise<Socket> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

/** Sends one request on the socket; resolves with the raw answer once the server closes or answers fully. */
function rawGet(socket: Socket, path: string): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    socket.on('close', () => resolve(text));
    socket.write(`GET ${path} HTTP/1.1\r\nHost: vigil\r\n\r\n`);
  });
}

async function metric(server: RunningServer, name: string): Promise<number | undefined> {
  const text = toPrometheusText(await server.registry.snapshot());
  const line = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return line ? Number(line[1]) : undefined;
}

const status = async (server: RunningServer, path: string) =>
  new Promise<number>((resolve, reject) => {
    const req = request(`${server.url}${path}`, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });

describe('the connection cap (limits.maxConnections)', () => {
  it('answers 503 past the cap instead of hanging, closes those connections, and serves again once one closes', async () => {
    const server = await start({ VIGIL_MAX_CONNECTIONS: '3' });
    const idle: Socket[] = [];
    try {
      for (let i = 0; i < 3; i++) idle.push(await open(server));
      await until(
        'three connections served',
        async () => (await metric(server, 'vigil_http_connections')) === 3,
      );
      const started = performance.now();
      const answer = await rawGet(await open(server), '/-/healthy');
      expect(performance.now() - started).toBeLessThan(3000);
      expect(answer).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
      expect(answer).toMatch(/\r\nconnection: close\r\n/i);
      expect(answer).toContain('"code":"unavailable"');
      expect(answer).toContain('3 connections are open, the limit (limits.maxConnections); retry later');

      // One that says nothing is closed too, so idle sockets past the cap hold no descriptor for long.
      const silent = await open(server);
      await new Promise<void>((resolve) => silent.on('close', () => resolve()));

      idle.pop()!.destroy();
      await until('a place again', async () => (await status(server, '/-/healthy')) === 200);
      expect(await metric(server, 'vigil_http_refused_connections_total')).toBeGreaterThanOrEqual(2);
    } finally {
      for (const s of idle) s.destroy();
      await server.close();
    }
  }, 30_000);

  it('defaults to 512, as Prometheus --web.max-connections, and takes the flag', () => {
    expect(loadConfig({}, {}).limits.maxConnections).toBe(512);
    expect(loadConfig({ maxConnections: '40' }, {}).limits.maxConnections).toBe(40);
    expect(() => loadConfig({ maxConnections: 'many' }, {})).toThrow(
      'command line: limits.maxConnections: got "many", expected number',
    );
  });
});

describe('compressed bodies', () => {
  const bomb = Buffer.alloc(200 * 1024 * 1024, 0x61);

  it('refuses deflate bombs with 413 like gzip ones, zlib-wrapped or raw, while the client still sends', async () => {
    const server = await start();
    try {
      for (const [encoding, body] of [
        ['gzip', gzipSync(bomb)],
        ['deflate', deflateSync(bomb)],
        ['deflate', deflateRawSync(bomb)],
      ] as const) {
        const answer = await post(server, '/api/v1/import/prometheus', body, {
          'content-encoding': encoding,
        });
        expect(answer.status, `${encoding} of ${body.length} bytes`).toBe(413);
        expect(JSON.parse(answer.text)).toMatchObject({ errorType: 'body_too_large' });
      }
      expect(await status(server, '/-/healthy')).toBe(200);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('reads raw and zlib deflate bodies, and answers a broken stream with 400, not a reset', async () => {
    const server = await start();
    try {
      const text = Buffer.from('deflated_total{how="zlib"} 1\n');
      const raw = Buffer.from('deflated_total{how="raw"} 1\n');
      expect(
        (
          await post(server, '/api/v1/import/prometheus', deflateSync(text), {
            'content-encoding': 'deflate',
          })
        ).status,
      ).toBe(200);
      expect(
        (
          await post(server, '/api/v1/import/prometheus', deflateRawSync(raw), {
            'content-encoding': 'deflate',
          })
        ).status,
      ).toBe(200);
      // A header, then 4 MiB of a reserved block type: refused at the first block while the client
      // is still sending the rest.
      const garbage = Buffer.alloc(4 * 1024 * 1024, 0xff);
      const broken = {
        deflate: Buffer.concat([Buffer.from([0x78, 0x9c]), garbage]),
        gzip: Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), garbage]),
      };
      for (const encoding of ['deflate', 'gzip'] as const) {
        const answer = await post(server, '/api/v1/import/prometheus', broken[encoding], {
          'content-encoding': encoding,
        });
        expect(answer.status, encoding).toBe(400);
        expect(JSON.parse(answer.text)).toMatchObject({ errorType: 'bad_body' });
      }
      const stored = await fetch(`${server.url}/api/v1/series?match[]=deflated_total`);
      expect(((await stored.json()) as { data: unknown[] }).data).toHaveLength(2);
    } finally {
      await server.close();
    }
  }, 60_000);
});
