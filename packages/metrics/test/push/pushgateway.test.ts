import { afterEach, describe, expect, it, vi } from 'vitest';
import { VigilError } from '../../src/base/errors.js';
import { Registry } from '../../src/core/registry.js';
import { PROMETHEUS_CONTENT_TYPE } from '../../src/expo/content-types.js';
import { toPrometheusText } from '../../src/expo/prometheus-text.js';
import { SUCCESS } from '../../src/push/export-result.js';
import { Pushgateway, type PushgatewayOptions } from '../../src/push/pushgateway.js';
import { httpPeer, pushCount, RecordingClock, type Reply, until } from './peers.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const close of closers.splice(0)) await close();
});

async function setup(script: Reply[] = [], options: Partial<PushgatewayOptions> = {}) {
  const peer = await httpPeer(script);
  const clock = new RecordingClock(1_700_000_000_000);
  const registry = new Registry({ clock });
  registry.counter({ name: 'jobs_done_total', help: 'Jobs.', labelNames: ['queue'] }).inc({ queue: 'a' }, 3);
  const gateway = new Pushgateway({
    url: peer.url,
    registry,
    job: 'nightly',
    groupings: { instance: 'web-1' },
    clock,
    retry: { random: () => 0.5 },
    ...options,
  });
  closers.push(peer.close, () => gateway.close());
  return { peer, clock, registry, gateway };
}

describe('Pushgateway', () => {
  it('pushes the registry as Prometheus text with PUT, POST and DELETE', async () => {
    const { peer, registry, gateway } = await setup();
    const expected = toPrometheusText(await registry.snapshot());
    expect(await gateway.push()).toEqual(SUCCESS);
    expect(await gateway.pushAdd()).toEqual(SUCCESS);
    expect(await gateway.delete()).toEqual(SUCCESS);
    expect(peer.requests.map((r) => [r.method, r.url])).toEqual([
      ['PUT', '/metrics/job/nightly/instance/web-1'],
      ['POST', '/metrics/job/nightly/instance/web-1'],
      ['DELETE', '/metrics/job/nightly/instance/web-1'],
    ]);
    expect(peer.requests[0]?.headers['content-type']).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(peer.requests[0]?.body).toBe(expected);
    expect(peer.requests[0]?.body).toContain('jobs_done_total{queue="a"} 3\n');
    expect(peer.requests[2]?.body).toBe('');
  });

  it('pushes to another group for one call; groupings replace the configured ones', async () => {
    const { peer, gateway } = await setup();
    await gateway.push({ groupings: { path: '/var/tmp', empty: '' } });
    await gateway.delete({ job: 'other' });
    expect(peer.requests.map((r) => r.url)).toEqual([
      '/metrics/job/nightly/path@base64/L3Zhci90bXA/empty@base64/=',
      '/metrics/job/other',
    ]);
    expect(() => gateway.push({ groupings: { job: 'x' } })).toThrow(VigilError);
  });

  it('reads PROMETHEUS_PUSHGATEWAY_URL and turns user:password@ into a Basic header', async () => {
    const peer = await httpPeer();
    closers.push(peer.close);
    const gateway = new Pushgateway({
      registry: new Registry(),
      job: 'j',
      env: { PROMETHEUS_PUSHGATEWAY_URL: `http://ops:s3cret@127.0.0.1:${peer.port}/` },
    });
    expect(await gateway.push()).toEqual(SUCCESS);
    expect(peer.requests[0]?.url).toBe('/metrics/job/j');
    expect(peer.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('ops:s3cret').toString('base64')}`,
    );
  });

  it.each([
    [
      { env: {} },
      'url: got undefined, expected an http:// or https:// URL, as the option or in PROMETHEUS_PUSHGATEWAY_URL',
    ],
    [
      { env: { PROMETHEUS_PUSHGATEWAY_URL: 'localhost:9091' } },
      'url (from PROMETHEUS_PUSHGATEWAY_URL): got "localhost:9091"',
    ],
    [{ url: 'http://x', job: '' }, 'job: got ""'],
    [{ url: 'http://x', intervalMs: 0 }, 'intervalMs: got 0'],
    [{ url: 'http://x', intervalMethod: 'delete' as never }, 'intervalMethod: got "delete"'],
    [{ url: 'http://x', registry: {} as never }, 'registry: got an object'],
  ])('refuses bad options: %j', (options, message) => {
    expect(() => new Pushgateway({ registry: new Registry(), job: 'j', ...options })).toThrow(message);
  });

  it('retries a 503 with backoff and counts the failed attempt', async () => {
    const { peer, clock, registry, gateway } = await setup([503]);
    const pending = gateway.push();
    await until(() => peer.requests.length === 1 && clock.timers.length === 2, 'the backoff');
    clock.advance(1_000);
    expect(await pending).toEqual(SUCCESS);
    expect(peer.requests.map((r) => r.method)).toEqual(['PUT', 'PUT']);
    expect(pushCount(registry, 'vigil_push_failures_total', 'pushgateway', 'http_5xx')).toBe(1);
    expect(pushCount(registry, 'vigil_push_dropped_total', 'pushgateway', 'http_5xx')).toBe(0);
  });

  it('does not retry a 400, counts the push as dropped and warns once with the peer’s reason', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const body = 'pushed metrics are invalid or inconsistent with existing metrics: collected metric ...';
    const { peer, registry, gateway } = await setup([
      { status: 400, body },
      { status: 400, body },
    ]);
    expect(await gateway.push()).toMatchObject({ code: 'failure', reason: 'http_4xx' });
    expect(await gateway.push()).toMatchObject({ code: 'failure', reason: 'http_4xx' });
    expect(peer.requests).toHaveLength(2);
    expect(pushCount(registry, 'vigil_push_dropped_total', 'pushgateway', 'http_4xx')).toBe(2);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain(
      `PUT ${peer.url}/metrics/job/nightly/instance/web-1 → 400 ${body}`,
    );
  });

  it('times out a peer that does not answer, on the injected clock', async () => {
    const { peer, clock, registry, gateway } = await setup(['hang'], {
      timeoutMs: 3_000,
      retry: { maxAttempts: 1 },
    });
    const pending = gateway.push();
    await until(() => peer.requests.length === 1);
    clock.advance(3_000);
    expect(await pending).toMatchObject({ code: 'retryable', reason: 'timeout' });
    expect(pushCount(registry, 'vigil_push_dropped_total', 'pushgateway', 'timeout')).toBe(1);
  });

  it('pushes on every interval, and once more on close, then refuses', async () => {
    const { peer, clock, registry, gateway } = await setup([], { intervalMs: 15_000 });
    clock.advance(15_000);
    // answered once only the interval timer is left (the attempt's timeout is cancelled)
    await until(() => peer.requests.length === 1 && clock.active === 1);
    clock.advance(15_000);
    await until(() => peer.requests.length === 2 && clock.active === 1);
    await gateway.close();
    expect(peer.requests.map((r) => r.method)).toEqual(['PUT', 'PUT', 'PUT']);
    clock.advance(60_000);
    expect(await gateway.push()).toMatchObject({ code: 'failure', reason: 'closed' });
    expect(peer.requests).toHaveLength(3);
    expect(pushCount(registry, 'vigil_push_dropped_total', 'pushgateway', 'closed')).toBe(1);
  });

  it('skips a tick while the previous push is still retrying', async () => {
    const { peer, clock, gateway } = await setup([503], { intervalMs: 500, intervalMethod: 'pushAdd' });
    clock.advance(500);
    // the backoff (1,000 ms) outlasts the next tick (at 1,000): that tick is skipped
    await until(() => peer.requests.length === 1 && clock.timers.includes(1_000), 'the backoff');
    clock.advance(1_000);
    await until(() => peer.requests.length === 2);
    await gateway.close();
    expect(peer.requests.map((r) => r.method)).toEqual(['POST', 'POST', 'POST']);
  });

  it('counts a push whose collect callback throws, instead of rejecting', async () => {
    const { peer, registry, gateway } = await setup();
    registry.gauge({
      name: 'broken',
      collect: () => {
        throw new Error('sensor offline');
      },
    });
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    expect(await gateway.push()).toMatchObject({ code: 'failure', reason: 'snapshot' });
    expect(peer.requests).toHaveLength(0);
    expect(pushCount(registry, 'vigil_push_dropped_total', 'pushgateway', 'snapshot')).toBe(1);
  });
});
