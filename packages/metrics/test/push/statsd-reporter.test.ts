import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from '../../src/core/registry.js';
import { StatsdClient } from '../../src/push/statsd-client.js';
import { StatsdReporter } from '../../src/push/statsd-reporter.js';
import { RecordingClock, udpPeer, until } from './peers.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function setup() {
  const peer = await udpPeer();
  const clock = new RecordingClock(0);
  const registry = new Registry({ clock });
  const calls = registry.counter({ name: 'calls_total', help: 'Calls.', labelNames: ['provider'] });
  const depth = registry.gauge({ name: 'queue_depth', help: 'Depth.' });
  const latency = registry.histogram({ name: 'latency_seconds', help: 'Latency.' });
  const reporter = new StatsdReporter({ registry, port: peer.port, intervalMs: 10_000 });
  closers.push(() => reporter.close(), peer.close);
  return { peer, clock, registry, calls, depth, latency, reporter };
}

/** The lines of the registry's own metrics, which are not what these tests look at. */
const own = (lines: string[]) => lines.filter((l) => !l.startsWith('vigil_'));

describe('StatsdReporter', () => {
  it('sends counter increases since the last report, and gauges as they are', async () => {
    const { peer, calls, depth, latency, reporter } = await setup();
    calls.inc({ provider: 'google' }, 3);
    calls.inc({ provider: 'openai' });
    depth.set(7);
    latency.observe(0.2);
    await reporter.report();
    calls.inc({ provider: 'google' }, 2);
    depth.set(4);
    await reporter.report();
    await until(() => own(peer.lines()).length === 5);
    expect(own(peer.lines())).toEqual([
      'calls_total:3|c|#provider:google',
      'calls_total:1|c|#provider:openai',
      'queue_depth:7|g',
      'calls_total:2|c|#provider:google',
      'queue_depth:4|g',
    ]);
  });

  it('takes a counter that went down as reset, so its whole value is the increase', async () => {
    const { peer, registry, calls, reporter } = await setup();
    calls.inc({ provider: 'google' }, 10);
    await reporter.report();
    registry.resetCounters();
    calls.inc({ provider: 'google' }, 4);
    await reporter.report();
    await until(() => own(peer.lines()).length === 2);
    expect(own(peer.lines())).toEqual([
      'calls_total:10|c|#provider:google',
      'calls_total:4|c|#provider:google',
    ]);
  });

  it('reports on the interval and once more on close', async () => {
    const { peer, clock, calls, reporter } = await setup();
    calls.inc({ provider: 'google' });
    clock.advance(10_000);
    await until(() => own(peer.lines()).length === 1);
    calls.inc({ provider: 'google' }, 5);
    await reporter.close();
    await until(() => own(peer.lines()).length === 2);
    // queue_depth was never set, so it has no series to send
    expect(own(peer.lines())).toEqual([
      'calls_total:1|c|#provider:google',
      'calls_total:5|c|#provider:google',
    ]);
    expect(await reporter.report()).toMatchObject({ code: 'failure', reason: 'closed' });
  });

  it('sends through a shared client and leaves it open on close', async () => {
    const peer = await udpPeer();
    const registry = new Registry({ clock: new RecordingClock(0) });
    const client = new StatsdClient({ port: peer.port, registry, prefix: 'app.' });
    const reporter = new StatsdReporter({ registry, client });
    closers.push(() => client.close(), peer.close);
    registry.gauge({ name: 'up' }).set(1);
    await reporter.close();
    client.increment('after_close');
    await client.flush();
    await until(() => own(peer.lines()).length === 2);
    expect(own(peer.lines())).toEqual(['app.up:1|g', 'app.after_close:1|c']);
  });
});
