import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importSamples } from '../../../../test/support/import-samples.js';
import { type RunningServer, serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';
import { approximately } from '../../src/figures/run-out.js';

const NOW = Date.UTC(2026, 0, 15, 12);
const GB = 1e9;
let dir: string;
let server: RunningServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-run-out-'));
  server = await serve(
    loadConfig({ listen: '127.0.0.1:0', data: dir, statsd: 'off' }, {}),
    new ManualClock(NOW),
  );
  // Over the last 12 hours, one sample a minute: /data loses 1 GB a day and has 9 GB left now,
  // /logs loses 1 GB an hour with 6 GB left, / stays at 50 GB and /tmp grows.
  const lines: string[] = [];
  for (let t = NOW - 12 * 3_600_000; t <= NOW; t += 60_000) {
    const ago = (NOW - t) / 1000;
    lines.push(
      `vigil_system_disk_free_bytes{path="/data"} ${9 * GB + (ago * GB) / 86_400} ${t}`,
      `vigil_system_disk_free_bytes{path="/logs"} ${6 * GB + (ago * GB) / 3600} ${t}`,
      `vigil_system_disk_free_bytes{path="/"} ${50 * GB} ${t}`,
      `vigil_system_disk_free_bytes{path="/tmp"} ${10 * GB - (ago * GB) / 86_400} ${t}`,
    );
  }
  await importSamples(server.url, lines);
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /api/forecasts/run-out', () => {
  it('says when each falling series reaches zero at the slope of the window, soonest first', async () => {
    const selector = encodeURIComponent('vigil_system_disk_free_bytes');
    const res = await fetch(`${server.url}/api/forecasts/run-out?selector=${selector}&window=6h`);
    const body = (await res.json()) as {
      forecasts: {
        labels: Record<string, string>;
        seconds: number;
        remaining: number;
        text: string;
        at: string;
      }[];
    };
    expect(body.forecasts.map((f) => [f.labels.path, f.text])).toEqual([
      ['/logs', '~6 hours'],
      ['/data', '~9 days'],
    ]);
    const data = body.forecasts[1]!;
    expect(data.seconds / (9 * 86_400)).toBeCloseTo(1, 6);
    expect(data.remaining / (9 * GB)).toBeCloseTo(1, 6);
    expect(data.at).toBe(new Date(NOW + 9 * 86_400_000).toISOString());
  });

  it('refuses what is not a series selector, or a window that is not a duration', async () => {
    const bad = await fetch(`${server.url}/api/forecasts/run-out?selector=${encodeURIComponent('sum(x)')}`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toBe(
      'selector: got "sum(x)", expected a series selector such as vigil_system_disk_free_bytes{path="/"}',
    );
    const window = await fetch(`${server.url}/api/forecasts/run-out?selector=x&window=soon`);
    expect(window.status).toBe(400);
  });

  it('words a forecast as roughly as it is known', () => {
    expect(approximately(90)).toBe('~2 minutes');
    expect(approximately(5 * 3600)).toBe('~5 hours');
    expect(approximately(9.4 * 86_400)).toBe('~9 days');
  });
});
