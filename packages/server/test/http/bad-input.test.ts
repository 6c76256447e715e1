import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningServer, serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';
import { encodeRemoteWrite } from '../../src/ingest/remote-write.js';
import { snappyCompress } from '../../src/ingest/snappy.js';
import { encodeWriteRequest } from '../../src/ingest/write-request-encoder.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function start(yaml = ''): Promise<RunningServer> {
  const data = mkdtempSync(join(tmpdir(), 'vigil-bad-input-'));
  dirs.push(data);
  const file = join(data, 'vigil.yaml');
  writeFileSync(file, yaml);
  return serve(loadConfig({ listen: '127.0.0.1:0', data, statsd: 'off', config: file }, {}));
}

async function metric(server: RunningServer, line: RegExp): Promise<number> {
  const { text } = await call(server, '/metrics');
  const match = line.exec(text);
  return match ? Number(match[1]) : 0;
}

/**
 * Requests on a connection of their own: the million-series test encodes 100,000 series between
 * requests in this same process, long enough under load for the server's 5 s keep-alive timeout to
 * close an idle connection that fetch would then reuse before it has seen the close (ECONNRESET).
 */
function call(
  server: RunningServer,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: Uint8Array } = {},
): Promise<{ status: number; text: string; json(): Promise<unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      { method: options.method ?? 'GET', agent: false, headers: options.headers ?? {} },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text, json: async () => JSON.parse(text) }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const remoteWrite = (server: RunningServer, body: Uint8Array) =>
  call(server, '/api/v1/write', {
    method: 'POST',
    headers: { 'content-encoding': 'snappy', 'content-type': 'application/x-protobuf' },
    body,
  });

describe('bad input at scale', () => {
  it('counts a million distinct series past the series cap as rejected, keeps serving, and keeps memory bounded', async () => {
    const cap = 50_000;
    const server = await start(`store:\n  maxSeries: ${cap}\n`);
    const batch = 100_000;
    const total = 1_000_000;
    const now = Date.now();
    let heapAfterCap = 0;
    try {
      for (let from = 0; from < total; from += batch) {
        const series = Array.from({ length: batch }, (_, i) => ({
          labels: { __name__: 'flood', id: String(from + i) },
          timestamps: [now],
          values: Float64Array.of(1),
        }));
        const res = await remoteWrite(server, encodeRemoteWrite(series));
        // Past the cap the sender hears 429 (retry later), not 204.
        expect(res.status).toBe(from + batch <= cap ? 204 : 429);
        expect((await call(server, '/-/healthy')).status).toBe(200);
        if (from === batch) {
          gc();
          heapAfterCap = process.memoryUsage().heapUsed;
        }
      }
      gc();
      // 800,000 more series refused after this point: what they cost must not stay behind.
      const growth = process.memoryUsage().heapUsed - heapAfterCap;
      expect(growth).toBeLessThan(64 * 1024 * 1024);

      expect(
        await metric(
          server,
          /^vigil_ingest_rejected_samples_total\{source="remote_write",reason="series_limit"\} (\d+)$/m,
        ),
      ).toBe(total - cap);
      expect(await metric(server, /^vigil_ingest_samples_total\{source="remote_write"\} (\d+)$/m)).toBe(cap);
      const stats = await server.store.stats();
      expect(stats.series).toBe(cap);

      // Known series still take samples; a new one through import says why it was refused.
      const known = await remoteWrite(
        server,
        encodeRemoteWrite([
          { labels: { __name__: 'flood', id: '0' }, timestamps: [now + 1000], values: Float64Array.of(2) },
        ]),
      );
      expect(known.status).toBe(204);
      const imported = await call(server, '/api/v1/import/prometheus', {
        method: 'POST',
        body: Buffer.from('flood{id="new"} 1\n'),
      });
      expect(await imported.json()).toMatchObject({ accepted: 0, rejected: { series_limit: 1 } });
      const query = await call(server, `/api/v1/query?query=${encodeURIComponent('flood{id="0"}')}`);
      expect(await query.json()).toMatchObject({
        status: 'success',
        data: { result: [{ value: [expect.any(Number), '2'] }] },
      });
    } finally {
      await server.close();
    }
  }, 180_000);

  it('answers a 100 MB body with 413 before reading it, declared or streamed', async () => {
    const server = await start();
    try {
      const declared = await fetch(`${server.url}/api/v1/import/prometheus`, {
        method: 'POST',
        body: Buffer.alloc(100 * 1024 * 1024, 0x61),
      });
      expect(declared.status).toBe(413);
      expect(await declared.json()).toMatchObject({ errorType: 'body_too_large' });

      // No content-length: the server answers once past its limit (10 MiB), while the client is
      // still sending, and does not keep what follows.
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      const { status, sentMiB, body } = await new Promise<{ status: number; sentMiB: number; body: string }>(
        (resolve, reject) => {
          let sent = 0;
          let answered = false;
          const req = request(`${server.url}/api/v1/import/prometheus`, { method: 'POST' });
          req.on('error', reject);
          req.on('response', (res) => {
            answered = true;
            const mib = sent;
            let text = '';
            res.on('data', (d: Buffer) => {
              text += d.toString();
            });
            res.on('end', () => {
              resolve({ status: res.statusCode ?? 0, sentMiB: mib, body: text });
              req.destroy();
            });
          });
          const pump = () => {
            while (sent < 100 && !answered) {
              sent++;
              if (!req.write(chunk)) {
                req.once('drain', pump);
                return;
              }
            }
            if (!answered) req.end();
          };
          pump();
        },
      );
      expect(status).toBe(413);
      expect(JSON.parse(body)).toMatchObject({ errorType: 'body_too_large' });
      expect(sentMiB).toBeLessThan(50);
      expect((await fetch(`${server.url}/-/healthy`)).status).toBe(200);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('refuses truncated protobuf, bad snappy and malformed lines with errors that say what was wrong', async () => {
    const server = await start();
    try {
      const request = encodeWriteRequest([
        { labels: { __name__: 'cut', job: 'a' }, timestamps: [Date.now()], values: Float64Array.of(1) },
      ]);
      const truncated = await remoteWrite(server, snappyCompress(request.subarray(0, request.length - 5)));
      expect(truncated.status).toBe(400);
      expect(await truncated.json()).toMatchObject({
        status: 'error',
        errorType: 'bad_protobuf',
        error: expect.stringMatching(/^protobuf: .+ at byte \d+$/),
      });
      const snappy = await remoteWrite(server, Uint8Array.from([0x0a, 0xff, 0xff, 0xff]));
      expect(snappy.status).toBe(400);
      expect(await snappy.json()).toMatchObject({
        errorType: 'bad_snappy',
        error: expect.stringMatching(/^snappy: /),
      });

      const lines = await fetch(`${server.url}/api/v1/import/prometheus`, {
        method: 'POST',
        body: 'good 1\nbad{ 2\nalso_good 3\nworse 1 2 3 4\n',
      });
      expect(lines.status).toBe(400);
      expect(await lines.json()).toMatchObject({
        accepted: 2,
        malformedCount: 2,
        malformed: [{ line: 2 }, { line: 4 }],
      });
      const influx = await fetch(`${server.url}/write?db=x`, {
        method: 'POST',
        body: 'cpu value=1\ncpu value=\n',
      });
      expect(influx.status).toBe(400);
      expect(await influx.json()).toEqual({ error: expect.stringMatching(/^partial write: line 2: /) });

      expect(
        await metric(
          server,
          /^vigil_ingest_malformed_total\{source="remote_write",reason="bad_protobuf"\} (\d+)$/m,
        ),
      ).toBe(1);
      expect(
        await metric(
          server,
          /^vigil_ingest_malformed_total\{source="remote_write",reason="bad_snappy"\} (\d+)$/m,
        ),
      ).toBe(1);
      expect(
        await metric(
          server,
          /^vigil_ingest_malformed_total\{source="import_prometheus",reason="bad_line"\} (\d+)$/m,
        ),
      ).toBe(2);
      expect((await fetch(`${server.url}/-/healthy`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
