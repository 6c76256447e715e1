import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test/support/free-port.js';
import { until } from '../../../../test/support/until.js';

const main = join(import.meta.dirname, '../../dist/cli/main.js');
const data = mkdtempSync(join(tmpdir(), 'vigil-demo-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(data, { recursive: true, force: true });
});

async function query(
  base: string,
  expr: string,
): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; data: { result: [] } };
  expect(body.status).toBe('success');
  return body.data.result;
}

describe('vigil demo', () => {
  it('backfills, then serves the live workload, prints its URLs and stops on SIGINT', async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        main,
        'demo',
        '--listen',
        `127.0.0.1:${port}`,
        '--data',
        data,
        '--statsd',
        'off',
        '--backfill',
        '10m',
        '--interval',
        '1s',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let out = '';
    child.stdout!.on('data', (chunk) => (out += chunk));
    child.stderr!.on('data', (chunk) => (out += chunk));
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    while (!out.includes('Ctrl-C') && Date.now() < deadline && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 100));
    expect(out).toContain(`demo serving on ${base}`);
    expect(out).toContain(`dashboard  ${base}/`);
    expect(out).toContain('/api/v1/query?query=');
    expect(out).toMatch(/10m of history, [\d,]+ samples in [\d.]+ s/);
    // Ten minutes at one sample a second, then live scrapes every second.
    const [history] = await query(base, 'count_over_time(up{job="demo"}[1h])');
    expect(Number(history!.value[1])).toBeGreaterThanOrEqual(600);
    const live = await until('a live scrape of the workload', async () => {
      const found = await query(
        base,
        'vigil_provider_up{job="demo"} offset 0s and on() (time() - timestamp(up{job="demo"}) < 3)',
      );
      return found.length > 0 && found;
    });
    expect(live).toHaveLength(4);
    // The backfill's sessions ended with it; the live workload opens its own at its first step, a
    // second after its start, which a loaded machine put after the first live scrape (none yet, once).
    const sessions = await until('the live sessions', async () => {
      const found = await query(base, 'count by (session) (stream_ticks_total)');
      return found.length >= 2 && found;
    });
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    // /api/sessions lists the workload's streaming sessions (it listed vigil's own registry: none).
    const document = (await (await fetch(`${base}/api/sessions`)).json()) as {
      metrics: { total_sessions: number; sessions: Record<string, Record<string, unknown>> };
    };
    expect(document.metrics.total_sessions).toBeGreaterThanOrEqual(2);
    const stored = new Set(
      (await query(base, 'count by (session) (last_over_time(stream_ticks_total[15m]))')).map(
        (s) => s.metric.session,
      ),
    );
    for (const [id, entry] of Object.entries(document.metrics.sessions)) {
      expect(stored.has(id), id).toBe(true);
      // A number for every session: 0 for one opened since the last tick, never blank.
      expect(entry.packets_sent, id).toBeGreaterThanOrEqual(0);
      expect(entry.memory_usage_mb, id).toBeGreaterThan(1);
      // Latency exists once a packet went out; before that it is blank (null), not 0.
      if ((entry.packets_sent as number) > 0)
        expect(entry.network_latency_ms, id).toMatchObject({ mean: expect.any(Number) });
      expect(entry.is_running, id).toBe(true);
    }
    // History and live series meet: the same bucket labels ("1.0" as OpenMetrics writes it, which the
    // scraper asks for), not a second set that histogram_quantile would mix up.
    const les = await query(base, 'count by (le) (events_processing_duration_seconds_bucket)');
    expect(les.map((s) => s.metric.le).sort()).toEqual(
      ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1.0', '2.5', '5.0', '10.0', '+Inf'].sort(),
    );
    // The demo's rules (the seeds' thresholds) are loaded and evaluated.
    const rules = (await (await fetch(`${base}/api/rules`)).json()) as {
      data: { groups: Array<{ name: string; rules: Array<{ name: string }> }> };
    };
    const groups = rules.data.groups.map((g) => g.name);
    expect(groups).toContain('demo-streaming');
    expect(rules.data.groups.flatMap((g) => g.rules.map((r) => r.name))).toContain('ProviderDown');
    child.kill('SIGINT');
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(0);
    expect(out).toContain('SIGINT, flushing and stopping');
  }, 90_000);

  it('starts on a taken StatsD port with a free one instead, says so, and takes StatsD there', async () => {
    const taken = createSocket('udp4');
    await new Promise<void>((r) => taken.bind(0, '127.0.0.1', r));
    const busyPort = taken.address().port;
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'vigil-demo-statsd-'));
    const child = spawn(
      process.execPath,
      [main, 'demo', '--listen', `127.0.0.1:${port}`, '--data', dir, '--statsd', `127.0.0.1:${busyPort}`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    try {
      let out = '';
      child.stdout!.on('data', (chunk) => (out += chunk));
      child.stderr!.on('data', (chunk) => (out += chunk));
      const deadline = Date.now() + 60_000;
      while (!out.includes('Ctrl-C') && Date.now() < deadline && child.exitCode === null)
        await new Promise((r) => setTimeout(r, 100));
      const line = /statsd {5}udp 127\.0\.0\.1:(\d+) \(127\.0\.0\.1:(\d+) is taken/.exec(out);
      expect(line, out).not.toBeNull();
      expect(Number(line![2])).toBe(busyPort);
      const statsdPort = Number(line![1]);
      expect(statsdPort).not.toBe(busyPort);
      const base = `http://127.0.0.1:${port}`;
      let seen: unknown[] = [];
      while (seen.length === 0 && Date.now() < deadline) {
        taken.send('demo_statsd_probe:1|c', statsdPort, '127.0.0.1');
        seen = await query(base, 'demo_statsd_probe_total or demo_statsd_probe');
        if (seen.length === 0) await new Promise((r) => setTimeout(r, 250));
      }
      expect(seen.length).toBeGreaterThan(0);
      child.kill('SIGINT');
      expect(await new Promise((r) => child.once('exit', r))).toBe(0);
    } finally {
      taken.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('names a bad flag and its value', async () => {
    const child = spawn(process.execPath, [main, 'demo', '--backfill', 'yesterday', '--data', data]);
    children.push(child);
    let err = '';
    child.stderr!.on('data', (chunk) => (err += chunk));
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(2);
    expect(err).toContain('--backfill: got "yesterday", expected a duration such as 5s, 90m or 24h');
  }, 30_000);
});
