import { afterEach, describe, expect, it, vi } from 'vitest';
import { Registry } from '../../src/core/registry.js';
import { SUCCESS } from '../../src/push/export-result.js';
import { InfluxReporter, type InfluxReporterOptions } from '../../src/push/influx-reporter.js';
import { httpPeer, pushCount, RecordingClock, type Reply, until } from './peers.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const close of closers.splice(0)) await close();
});

const T0 = 1_795_417_184_629;

async function setup(script: Reply[], options: Partial<InfluxReporterOptions> = {}) {
  const peer = await httpPeer(script);
  const clock = new RecordingClock(T0);
  const registry = new Registry({ clock });
  const latency = registry.gauge({
    name: 'stt_latency_ms',
    help: 'Last STT latency.',
    labelNames: ['provider'],
  });
  latency.set({ provider: 'google' }, 1500);
  latency.set({ provider: 'openai' }, 820);
  const reporter = new InfluxReporter({
    url: peer.url,
    registry,
    clock,
    retry: { random: () => 0.5 },
    ...options,
  });
  closers.push(peer.close, () => reporter.close());
  return { peer, clock, registry, reporter };
}

const lines = (body: string | undefined) => (body ?? '').split('\n').filter((l) => l !== '');

describe('InfluxReporter', () => {
  it('writes to the 1.x API with db, rp, precision and u/p', async () => {
    const { peer, reporter } = await setup([204], {
      database: 'vigil',
      retentionPolicy: 'week',
      username: 'writer',
      password: 'p@ss word',
    });
    expect(await reporter.report()).toEqual(SUCCESS);
    const [request] = peer.requests;
    expect(request?.method).toBe('POST');
    const url = new URL(request?.url ?? '', peer.url);
    expect(url.pathname).toBe('/write');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      db: 'vigil',
      rp: 'week',
      precision: 'ms',
      u: 'writer',
      p: 'p@ss word',
    });
    expect(request?.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(lines(request?.body)).toContain(`stt_latency_ms,provider=google value=1500 ${T0}`);
    expect(lines(request?.body)).toContain(`stt_latency_ms,provider=openai value=820 ${T0}`);
  });

  it('spells nanoseconds n for 1.x and ns for 2.x', async () => {
    const v1 = await setup([], { database: 'd', precision: 'ns' });
    await v1.reporter.report();
    expect(new URL(v1.peer.requests[0]?.url ?? '', v1.peer.url).searchParams.get('precision')).toBe('n');
    expect(lines(v1.peer.requests[0]?.body)).toContain(
      `stt_latency_ms,provider=google value=1500 ${T0}000000`,
    );
    const v2 = await setup([], { bucket: 'b', org: 'o', precision: 'ns' });
    await v2.reporter.report();
    expect(new URL(v2.peer.requests[0]?.url ?? '', v2.peer.url).searchParams.get('precision')).toBe('ns');
  });

  it('writes to the 2.x API with the seed’s INFLUXDB_* variables', async () => {
    const peer = await httpPeer([204]);
    closers.push(peer.close);
    const reporter = new InfluxReporter({
      registry: new Registry({ clock: new RecordingClock(T0) }),
      env: {
        INFLUXDB_URL: peer.url,
        INFLUXDB_TOKEN: 'your_token',
        INFLUXDB_ORG: 'your org',
        INFLUXDB_BUCKET: 'latency_metrics',
      },
      precision: 's',
    });
    reporter.write('m,k=v value=1 1795417184\n');
    await reporter.flush();
    const [request] = peer.requests;
    expect(request?.url).toBe('/api/v2/write?org=your+org&bucket=latency_metrics&precision=s');
    expect(request?.headers.authorization).toBe('Token your_token');
    expect(request?.body).toBe('m,k=v value=1 1795417184\n');
  });

  it.each([
    [{ env: { INFLUXDB_URL: 'http://x' } }, 'bucket: got undefined'],
    [{ env: { INFLUXDB_URL: 'http://x', INFLUXDB_BUCKET: 'b' } }, 'org (INFLUXDB_ORG): got undefined'],
    [{ env: {}, database: 'd' }, 'url: got undefined'],
    [{ url: 'http://x', database: 'd', token: 't' }, 'token: got "(hidden)"'],
    [{ url: 'http://x', bucket: 'b', org: 'o', password: 'secret' }, 'password: got "(hidden)"'],
    [{ url: 'http://x', database: 'd', username: 'u' }, 'password: got "(hidden)"'],
    [{ url: 'http://x', database: '' }, 'database: got ""'],
    [
      { url: 'http://x', database: 'd', precision: 'us' as never },
      "precision: got \"us\", expected 'ns', 'ms' or 's'",
    ],
    [{ url: 'http://x', database: 'd', batchSize: 0 }, 'batchSize: got 0'],
  ])('refuses bad options: %j', (options, message) => {
    expect(() => new InfluxReporter({ registry: new Registry(), ...options })).toThrow(message);
  });

  it('sends batches of batchSize lines, one request at a time', async () => {
    const { peer, reporter } = await setup([], { database: 'd', batchSize: 2 });
    reporter.write('a value=1 1\nb value=2 2\nc value=3 3\n');
    expect(await reporter.flush()).toEqual(SUCCESS);
    expect(peer.requests.map((r) => r.body)).toEqual(['a value=1 1\nb value=2 2\n', 'c value=3 3\n']);
  });

  it('counts every line of a rejected batch as dropped, without retrying it', async () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const { peer, registry, reporter } = await setup(
      [{ status: 400, body: '{"error":"partial write: field type conflict dropped=1"}' }],
      { database: 'd' },
    );
    expect(await reporter.report()).toMatchObject({ code: 'failure', reason: 'http_4xx' });
    expect(peer.requests).toHaveLength(1);
    expect(pushCount(registry, 'vigil_push_dropped_total', 'influxdb', 'http_4xx')).toBe(2);
  });

  it('keeps at most maxBufferedLines while the peer is down, dropping the oldest', async () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const { peer, clock, registry, reporter } = await setup([503], {
      database: 'd',
      maxBufferedLines: 3,
      retry: { random: () => 0.5, maxAttempts: 2 },
    });
    reporter.write('a value=1 1');
    await until(() => peer.requests.length === 1 && clock.timers.includes(1_000), 'the backoff');
    reporter.write('b value=2 2\nc value=3 3\nd value=4 4\ne value=5 5');
    expect(pushCount(registry, 'vigil_push_dropped_total', 'influxdb', 'queue_full')).toBe(1);
    clock.advance(1_000);
    await reporter.flush();
    expect(peer.requests.map((r) => r.body)).toEqual([
      'a value=1 1\n',
      'a value=1 1\n',
      'c value=3 3\nd value=4 4\ne value=5 5\n',
    ]);
  });

  it('never names the password in a warning', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const { reporter } = await setup([{ status: 401, body: 'authorization failed' }], {
      database: 'd',
      username: 'u',
      password: 'hunter2',
    });
    await reporter.report();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('/write?db=d&precision=ms → 401 authorization failed');
    expect(String(warn.mock.calls[0]?.[0])).not.toContain('hunter2');
  });

  it('reports on every interval, once more on close, then refuses', async () => {
    const { peer, clock, registry, reporter } = await setup([], { database: 'd', intervalMs: 10_000 });
    clock.advance(10_000);
    await until(() => peer.requests.length === 1 && clock.active === 1);
    await reporter.close();
    expect(peer.requests).toHaveLength(2);
    expect(lines(peer.requests[0]?.body)).toContain(
      `stt_latency_ms,provider=google value=1500 ${T0 + 10_000}`,
    );
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    reporter.write('late value=1 1');
    expect(await reporter.report()).toMatchObject({ code: 'failure', reason: 'closed' });
    expect(pushCount(registry, 'vigil_push_dropped_total', 'influxdb', 'closed')).toBe(2);
  });
});
