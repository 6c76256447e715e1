import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/config/config-error.js';
import { encodeRemoteWrite } from '../../src/ingest/remote-write.js';

/** `vigil serve` with `remote:` set, against a remote that is down (answers 503 to everything). */
const dir = mkdtempSync(join(tmpdir(), 'vigil-remote-serve-'));
let down: Server;
let downUrl: string;

beforeAll(async () => {
  down = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(503).end('down for maintenance'));
  });
  await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
  downUrl = `http://127.0.0.1:${(down.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => down.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('vigil serve with the distributed backend', () => {
  it('acknowledges ingest while the queue has room, then answers 503 and counts the refusal', async () => {
    const file = join(dir, 'vigil.yaml');
    writeFileSync(
      file,
      `remote:\n  writeUrl: ${downUrl}/api/v1/write\n  queryUrl: ${downUrl}\n  queueMaxBytes: 1048576\n`,
    );
    const server = await serve(
      loadConfig({ config: file, listen: '127.0.0.1:0', data: join(dir, 'd'), statsd: 'off' }, {}),
    );
    try {
      const body = encodeRemoteWrite(
        Array.from({ length: 2_000 }, (_, i) => ({
          labels: { __name__: 'wide', i: String(i), pad: 'x'.repeat(200) },
          timestamps: [1_700_000_000_000],
          values: Float64Array.of(i),
        })),
      );
      const statuses: number[] = [];
      for (let k = 0; k < 40 && !statuses.includes(503); k++) {
        const res = await fetch(`${server.url}/api/v1/write`, {
          method: 'POST',
          body,
          headers: { 'content-encoding': 'snappy' },
        });
        statuses.push(res.status);
        const text = await res.text();
        if (res.status === 503)
          expect(JSON.parse(text)).toMatchObject({ status: 'error', errorType: 'unavailable' });
      }
      expect(statuses[0]).toBe(204);
      expect(statuses.at(-1)).toBe(503);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toContain('vigil_remote_rejected_samples_total 2000');
      expect(metrics).toMatch(/vigil_remote_queue_segments [1-9]/);
      // Queries go to the remote, whose 503 without the API's JSON is reported as unavailable.
      const query = await fetch(`${server.url}/api/v1/query?query=up`);
      expect(query.status).toBe(503);
    } finally {
      await server.close();
    }
    // About twenty fsynced segment files before the queue is full: slow on a loaded disk.
  }, 30_000);

  it('refuses a remote section without both URLs, naming the missing key', () => {
    expect(() => loadConfig({}, { VIGIL_REMOTE_WRITE_URL: 'http://127.0.0.1:8428/api/v1/write' })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig({}, { VIGIL_REMOTE_WRITE_URL: 'http://127.0.0.1:8428/api/v1/write' })).toThrow(
      /^remote\.queryUrl: missing/,
    );
    expect(() => loadConfig({}, { VIGIL_REMOTE_QUERY_URL: 'not a url' })).toThrow(/remote\.queryUrl/);
  });
});
