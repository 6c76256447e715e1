import { afterEach, describe, expect, it, vi } from 'vitest';
import { Registry } from '../../src/core/registry.js';
import { SUCCESS } from '../../src/push/export-result.js';
import { StatsdClient, type StatsdClientOptions } from '../../src/push/statsd-client.js';
import { pushCount, RecordingClock, udpPeer, until } from './peers.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const close of closers.splice(0)) await close();
});

async function setup(options: Partial<StatsdClientOptions> = {}) {
  const peer = await udpPeer();
  const clock = new RecordingClock(1_000_000);
  const registry = new Registry({ clock });
  const client = new StatsdClient({ port: peer.port, clock, registry, ...options });
  closers.push(() => client.close(), peer.close);
  return { peer, clock, registry, client };
}

describe('StatsdClient', () => {
  it('sends every type with hot-shots’ method names', async () => {
    const { peer, clock, client } = await setup();
    client.increment('calls');
    client.increment('calls', 5, 1, { route: '/a' });
    client.decrement('inflight', 2);
    client.gauge('queue.depth', 42.5);
    client.timing('stt.latency', 1500, 1, ['provider:google']);
    client.timing('since', new Date(clock.now() - 250));
    client.histogram('payload.bytes', 512);
    client.distribution('rag.latency', 3100);
    client.set('users', 'user-42');
    expect(await client.flush()).toEqual(SUCCESS);
    await until(() => peer.lines().length === 9);
    expect(peer.lines()).toEqual([
      'calls:1|c',
      'calls:5|c|#route:/a',
      'inflight:-2|c',
      'queue.depth:42.5|g',
      'stt.latency:1500|ms|#provider:google',
      'since:250|ms',
      'payload.bytes:512|h',
      'rag.latency:3100|d',
      'users:user-42|s',
    ]);
  });

  it('adds prefix, suffix and global tags; a call’s tag wins over a global one', async () => {
    const { peer, client } = await setup({
      prefix: 'callbot.',
      suffix: '.v2',
      globalTags: { env: 'prod', region: 'eu' },
    });
    client.increment('hits', 1, 1, { env: 'canary' });
    client.gauge('g:x', 1);
    await client.flush();
    await until(() => peer.lines().length === 2);
    expect(peer.lines()).toEqual([
      'callbot.hits.v2:1|c|#region:eu,env:canary',
      'callbot.g_x.v2:1|g|#env:prod,region:eu',
    ]);
  });

  it('samples: keeps a line when random() < rate and writes the rate', async () => {
    const draws = [0.05, 0.5, 0.09];
    const { peer, client } = await setup({ random: () => draws.shift() ?? 0 });
    client.increment('a', 1, 0.1);
    client.increment('b', 1, 0.1);
    client.timing('c', 3, 0.1);
    await client.flush();
    await until(() => peer.lines().length === 2);
    expect(peer.lines()).toEqual(['a:1|c|@0.1', 'c:3|ms|@0.1']);
  });

  it('batches lines into datagrams of at most maxPayloadBytes', async () => {
    const { peer, client } = await setup({ maxPayloadBytes: 40 });
    for (let i = 0; i < 10; i++) client.increment(`metric.number.${i}`, i);
    await client.flush();
    await until(() => peer.lines().length === 10);
    expect(peer.datagrams).toEqual([
      'metric.number.0:0|c\nmetric.number.1:1|c',
      'metric.number.2:2|c\nmetric.number.3:3|c',
      'metric.number.4:4|c\nmetric.number.5:5|c',
      'metric.number.6:6|c\nmetric.number.7:7|c',
      'metric.number.8:8|c\nmetric.number.9:9|c',
    ]);
    expect(peer.datagrams.every((d) => Buffer.byteLength(d) <= 40)).toBe(true);
  });

  it('measures the payload in UTF-8 bytes and sends a longer line alone', async () => {
    const { peer, client } = await setup({ maxPayloadBytes: 20 });
    client.set('a', 1);
    client.set('b', 2);
    // 16 characters with the next line, but 22 bytes
    client.set('u', 'éééééé');
    client.set('v', 'a');
    client.set('long.name.over.the.limit', 'x');
    client.set('w', 'b');
    await client.flush();
    await until(() => peer.lines().length === 6);
    expect(peer.datagrams).toEqual([
      'a:1|s\nb:2|s',
      'u:éééééé|s',
      'v:a|s',
      'long.name.over.the.limit:x|s',
      'w:b|s',
    ]);
  });

  it('sends a partly filled datagram on the flush interval', async () => {
    const { peer, clock, client } = await setup({ flushIntervalMs: 500 });
    client.increment('x');
    // a send would have started its timeout timer at once: only the flush interval exists
    expect(clock.timers).toEqual([500]);
    clock.advance(500);
    expect(clock.timers).toEqual([500, 1_000]);
    await until(() => peer.datagrams.length === 1);
    expect(peer.datagrams).toEqual(['x:1|c']);
    await client.flush();
  });

  it('drops and counts NaN, infinities, bad sample rates and lines recorded after close', async () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const { peer, registry, client } = await setup();
    client.gauge('g', Number.NaN);
    client.timing('t', Number.POSITIVE_INFINITY);
    client.increment('i', 1, 1.5);
    // hot-shots' increment(name, tags) shape, from untyped code
    client.increment('tags_as_value', { env: 'prod' } as never);
    client.increment('ok');
    await client.close();
    client.increment('late');
    await until(() => peer.lines().length === 1);
    expect(peer.lines()).toEqual(['ok:1|c']);
    expect(pushCount(registry, 'vigil_push_dropped_total', 'statsd', 'invalid_value')).toBe(4);
    expect(pushCount(registry, 'vigil_push_dropped_total', 'statsd', 'closed')).toBe(1);
  });

  it('counts a datagram the OS refuses as too large, without retrying it', async () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const { registry, client } = await setup();
    client.set('huge', 'x'.repeat(70_000));
    expect(await client.flush()).toMatchObject({ code: 'failure', reason: 'oversize' });
    expect(pushCount(registry, 'vigil_push_failures_total', 'statsd', 'oversize')).toBe(1);
    expect(pushCount(registry, 'vigil_push_dropped_total', 'statsd', 'oversize')).toBe(1);
  });

  it.each([
    [{ port: 0 }, 'port: got 0'],
    [{ host: '' }, 'host: got ""'],
    [{ sampleRate: 0 }, 'sampleRate: got 0'],
    [{ maxPayloadBytes: 0 }, 'maxPayloadBytes: got 0'],
    [{ flushIntervalMs: -1 }, 'flushIntervalMs: got -1'],
    [{ prefix: 3 as never }, 'prefix: got 3'],
    [{ globalTags: 'env:prod' as never }, 'globalTags: got "env:prod"'],
  ])('refuses bad options: %j', (options, message) => {
    expect(() => new StatsdClient(options)).toThrow(message);
  });
});
