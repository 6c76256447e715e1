import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningServer, serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-metadata-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let server: RunningServer;
let n = 0;
beforeEach(async () => {
  const config = loadConfig({ listen: '127.0.0.1:0', data: join(dir, String(n++)), statsd: 'off' }, {});
  server = await serve(config, new ManualClock(1_700_000_000_000));
  const body = [
    '# HELP jobs_total Jobs run.',
    '# TYPE jobs_total counter',
    'jobs_total{queue="a"} 3 1700000000000',
    'jobs_total{queue="b"} 4 1700000600000',
    '# HELP queue_depth Items waiting.',
    '# TYPE queue_depth gauge',
    'queue_depth{queue="a"} 2 1700000600000',
    'plain 1 1700000600000',
    '',
  ].join('\n');
  const res = await fetch(`${server.url}/api/v1/import/prometheus`, { method: 'POST', body });
  expect(res.status).toBe(200);
});
afterEach(() => server.close());

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('GET /api/v1/metadata', () => {
  it('lists TYPE and HELP of the families ingested, untyped as unknown', async () => {
    expect(await get('/api/v1/metadata')).toEqual({
      status: 200,
      body: {
        status: 'success',
        data: {
          jobs_total: [{ type: 'counter', help: 'Jobs run.', unit: '' }],
          plain: [{ type: 'unknown', help: '', unit: '' }],
          queue_depth: [{ type: 'gauge', help: 'Items waiting.', unit: '' }],
        },
      },
    });
  });

  it('keeps one entry per distinct help, and filters by metric and limit', async () => {
    await fetch(`${server.url}/api/v1/import/prometheus`, {
      method: 'POST',
      body: '# HELP jobs_total Jobs run, other target.\n# TYPE jobs_total counter\njobs_total{queue="c"} 1\n',
    });
    const one = await get('/api/v1/metadata?metric=jobs_total');
    expect(one.body.data).toEqual({
      jobs_total: [
        { type: 'counter', help: 'Jobs run.', unit: '' },
        { type: 'counter', help: 'Jobs run, other target.', unit: '' },
      ],
    });
    expect((await get('/api/v1/metadata?metric=jobs_total&limit_per_metric=1')).body.data).toEqual({
      jobs_total: [{ type: 'counter', help: 'Jobs run.', unit: '' }],
    });
    expect(Object.keys((await get('/api/v1/metadata?limit=2')).body.data as object)).toEqual([
      'jobs_total',
      'plain',
    ]);
    expect((await get('/api/v1/metadata?limit=0')).body.data).toEqual({});
    expect((await get('/api/v1/metadata?metric=nope')).body.data).toEqual({});
  });

  it('refuses a limit that is not an integer, naming it', async () => {
    expect(await get('/api/v1/metadata?limit=ten')).toEqual({
      status: 400,
      body: {
        status: 'error',
        errorType: 'bad_data',
        error: 'invalid parameter "limit": got "ten", expected an integer',
      },
    });
  });
});

describe('series and labels with match[], start and end', () => {
  const form = (params: [string, string][]) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });

  it('reads match[], start and end from a POSTed form, as Grafana sends them', async () => {
    const res = await fetch(
      `${server.url}/api/v1/series`,
      form([
        ['match[]', 'jobs_total'],
        ['match[]', 'queue_depth'],
        ['start', '1700000300'],
        ['end', '1700000900'],
      ]),
    );
    const body = (await res.json()) as { data: Record<string, string>[] };
    expect(body.data.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      { __name__: 'jobs_total', queue: 'b' },
      { __name__: 'queue_depth', queue: 'a' },
    ]);
    const labels = await fetch(`${server.url}/api/v1/labels`, form([['match[]', 'plain']]));
    expect(((await labels.json()) as { data: string[] }).data).toEqual(['__name__']);
  });

  it('limits label values to the series that match[] selects in [start, end]', async () => {
    const all = await get('/api/v1/label/queue/values?match[]=jobs_total');
    expect(all.body.data).toEqual(['a', 'b']);
    const early = await get('/api/v1/label/queue/values?match[]=jobs_total&start=1699999000&end=1700000100');
    expect(early.body.data).toEqual(['a']);
    const bad = await get('/api/v1/series?match[]=jobs_total&start=1700000900&end=1700000000');
    expect(bad.status).toBe(400);
  });
});
