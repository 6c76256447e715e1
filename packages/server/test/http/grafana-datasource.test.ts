import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../../test/support/until.js';
import { type RunningServer, serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-grafana-'));
let server: RunningServer;
let exporter: Server;
let up: string;
let down: string;

beforeAll(async () => {
  exporter = createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end('# HELP jobs_total Jobs run.\n# TYPE jobs_total counter\njobs_total{queue="a"} 3\n');
  });
  await new Promise<void>((resolve) => exporter.listen(0, '127.0.0.1', resolve));
  up = `127.0.0.1:${(exporter.address() as AddressInfo).port}`;
  // A port that was free a moment ago: nothing answers there.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  down = `127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise((resolve) => probe.close(resolve));
  const config = loadConfig(
    {
      listen: '127.0.0.1:0',
      data: dir,
      statsd: 'off',
      scrape: [`http://${up}/metrics`, `http://${down}/metrics`],
      // Prometheus lists the features it runs with in its flags; tools read them there.
      enableFeatures: ['promql-duration-expr'],
    },
    {},
  );
  server = await serve(config);
  // Both targets scraped once: the first scrape starts at start-up.
  await until('both targets scraped once', async () => {
    const targets = (await get('/api/v1/targets')).data as { activeTargets: { health: string }[] };
    return targets.activeTargets.every((t) => t.health !== 'unknown');
  });
});

afterAll(async () => {
  await server.close();
  await new Promise((resolve) => exporter.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

async function get(path: string): Promise<{ status: string; data: unknown }> {
  const res = await fetch(`${server.url}${path}`);
  expect(res.status, path).toBe(200);
  return (await res.json()) as { status: string; data: unknown };
}

async function post(path: string, form: Record<string, string>): Promise<{ status: string; data: unknown }> {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  expect(res.status, path).toBe(200);
  return (await res.json()) as { status: string; data: unknown };
}

describe("Grafana's Prometheus data source, request by request", () => {
  it('gets what it asks for, in the order it asks', async () => {
    const now = Math.floor(Date.now() / 1000);
    // Grafana rounds the range outwards; the scrape may have happened within this second.
    const range = { start: String(now - 3600), end: String(now + 60) };
    // "Save & test": the version detection, then the health query.
    expect((await get('/api/v1/status/buildinfo')).data).toMatchObject({ version: '3.0.0' });
    expect((await post('/api/v1/query', { query: '1+1', time: String(now) })).data).toEqual({
      resultType: 'scalar',
      result: [now, '2'],
    });
    // Explore opens: metric names, labels, metadata.
    expect((await post('/api/v1/labels', range)).data).toEqual(
      expect.arrayContaining(['__name__', 'job', 'queue']),
    );
    expect((await get(`/api/v1/label/__name__/values?start=${range.start}&end=${range.end}`)).data).toEqual(
      expect.arrayContaining(['jobs_total', 'up']),
    );
    expect((await get('/api/v1/metadata')).data).toMatchObject({
      jobs_total: [{ type: 'counter', help: 'Jobs run.' }],
    });
    expect((await post('/api/v1/series', { 'match[]': 'jobs_total', ...range })).data).toEqual([
      { __name__: 'jobs_total', instance: up, job: up, queue: 'a' },
    ]);
    // The query runs, with its exemplars beside it.
    const result = (await post('/api/v1/query_range', { query: 'jobs_total', ...range, step: '15' }))
      .data as {
      resultType: string;
      result: { values: [number, string][] }[];
    };
    expect(result.resultType).toBe('matrix');
    expect(result.result[0]!.values.at(-1)![1]).toBe('3');
    expect((await post('/api/v1/query_exemplars', { query: 'jobs_total', ...range })).data).toEqual([]);
    // "Format query" in the code editor.
    expect((await post('/api/v1/format_query', { query: 'sum(rate(jobs_total[5m]))by(queue)' })).data).toBe(
      'sum by (queue) (rate(jobs_total[5m]))',
    );
    // With the server's feature switches: duration expressions are on here.
    expect((await post('/api/v1/format_query', { query: 'rate(jobs_total[5m*2])' })).data).toBe(
      'rate(jobs_total[5m * 2])',
    );
    // Alerting lists the data source's rules and alerts.
    expect((await get('/api/v1/rules')).data).toEqual({ groups: [] });
    expect((await get('/api/v1/alerts')).data).toEqual({ alerts: [] });
  });

  it('refuses a query that does not parse with bad_data, as Prometheus does', async () => {
    const res = await fetch(`${server.url}/api/v1/format_query?query=sum(`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ status: 'error', errorType: 'bad_data' });
  });
});

describe("Prometheus's status API", () => {
  it('lists targets with their health, last scrape and last error', async () => {
    const { activeTargets } = (await get('/api/v1/targets')).data as {
      activeTargets: Record<string, unknown>[];
    };
    expect(activeTargets).toHaveLength(2);
    expect(activeTargets[0]).toMatchObject({
      labels: { job: up, instance: up },
      scrapeUrl: `http://${up}/metrics`,
      health: 'up',
      lastError: '',
      scrapeInterval: '15s',
    });
    expect(Date.parse(activeTargets[0]!.lastScrape as string)).toBeGreaterThan(Date.now() - 60_000);
    expect(activeTargets[1]).toMatchObject({
      health: 'down',
      lastError: expect.stringContaining('ECONNREFUSED'),
    });
    expect((await get('/api/v1/targets?state=dropped')).data).toMatchObject({ activeTargets: [] });
  });

  it("serves each target's metadata, filtered by match_target and metric", async () => {
    expect(
      (await get(`/api/v1/targets/metadata?match_target=${encodeURIComponent(`{job="${up}"}`)}`)).data,
    ).toEqual([
      {
        target: { job: up, instance: up },
        metric: 'jobs_total',
        type: 'counter',
        help: 'Jobs run.',
        unit: '',
      },
    ]);
    expect((await get('/api/v1/targets/metadata?metric=nope')).data).toEqual([]);
  });

  it('gives head statistics, configuration, flags, runtime information and Alertmanagers', async () => {
    const tsdb = (await get('/api/v1/status/tsdb')).data as {
      headStats: { numSeries: number };
      seriesCountByMetricName: { name: string; value: number }[];
    };
    // jobs_total, and up / scrape_duration_seconds / scrape_samples_scraped for each of the two targets.
    expect(tsdb.headStats.numSeries).toBe(7);
    expect(tsdb.seriesCountByMetricName).toEqual(
      expect.arrayContaining([
        { name: 'up', value: 2 },
        { name: 'jobs_total', value: 1 },
      ]),
    );
    const { yaml } = (await get('/api/v1/status/config')).data as { yaml: string };
    expect(yaml).toContain('scrape_interval: 15s');
    expect(yaml).toContain(`- ${up}`);
    expect((await get('/api/v1/status/flags')).data).toMatchObject({
      'storage.tsdb.retention.time': '30d',
      'enable-feature': 'promql-duration-expr',
    });
    expect((await get('/api/v1/status/runtimeinfo')).data).toMatchObject({ storageRetention: '30d' });
    expect((await get('/api/v1/alertmanagers')).data).toEqual({
      activeAlertmanagers: [],
      droppedAlertmanagers: [],
    });
  });

  it("sends Prometheus's /graph links, as alerts carry them, to the dashboard's Explore", async () => {
    const res = await fetch(`${server.url}/graph?g0.expr=${encodeURIComponent('rate(x[5m]) > 1')}&g0.tab=1`, {
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!, server.url);
    expect(location.pathname).toBe('/');
    const explore = new URLSearchParams(location.hash.replace(/^#\/explore\?/, ''));
    expect(location.hash.startsWith('#/explore?')).toBe(true);
    expect(Object.fromEntries(explore)).toEqual({ from: 'now-3600s', to: 'now', q: 'rate(x[5m]) > 1' });

    const at = await fetch(
      `${server.url}/graph?g0.expr=up&g0.range_input=30m&g0.end_input=${encodeURIComponent('2026-12-01 10:00:00')}`,
      { redirect: 'manual' },
    );
    const end = Date.UTC(2026, 11, 1, 10);
    expect(Object.fromEntries(new URLSearchParams(at.headers.get('location')!.split('?')[1]))).toEqual({
      from: String(end - 1_800_000),
      to: String(end),
      q: 'up',
    });
  });
});
