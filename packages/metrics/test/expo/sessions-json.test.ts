import { describe, expect, it } from 'vitest';
import { Registry } from '../../src/core/registry.js';
import { toSessionsDocument } from '../../src/expo/sessions-json.js';
import { nastySnapshot } from './fixture.js';

describe('toSessionsDocument', () => {
  it('matches the golden file for the nasty fixture', async () => {
    const doc = toSessionsDocument(nastySnapshot(), { service: 'PhantomLink Core', version: '0.2.0' });
    await expect(`${JSON.stringify(doc, null, 2)}\n`).toMatchFileSnapshot('./golden/nasty.sessions.json');
  });

  it('has the streaming-server seed shape: totals, then one entry per scope', () => {
    const doc = toSessionsDocument(nastySnapshot(), { service: 'PhantomLink Core', version: '0.2.0' });
    expect(doc.timestamp).toBe(1705075200.123);
    expect(doc.metrics).toMatchObject({ total_sessions: 2, active_sessions: 1, total_connections: 3 });
    expect(doc.metrics.sessions['swift-neural-42']).toEqual({
      packets_sent: 15230,
      dropped_packets: 3,
      network_latency_ms: { mean: 2.275, std: 1.9356846334049354, max: 5.6 },
      memory_usage_mb: 13_054_771 / 1024 / 1024,
      is_running: true,
      is_paused: false,
      connections: 1,
    });
  });

  it("prefers the scope's own memory_usage_mb gauge to the registry's estimate", () => {
    const doc = toSessionsDocument(nastySnapshot(), { service: 's', version: 'v' });
    expect(doc.metrics.sessions['calm-river-7']?.memory_usage_mb).toBe(3.25);
  });

  it('stands the histogram series with the most observations for a scope with several', () => {
    const doc = toSessionsDocument(nastySnapshot(), { service: 's', version: 'v' });
    expect(doc.metrics.sessions['calm-river-7']?.network_latency_ms).toEqual({ mean: 3.5, std: 0.5, max: 4 });
  });

  it("uses the user's names where given", () => {
    const names = new Map([['dropped_packets', 'packets_dropped']]);
    const doc = toSessionsDocument(nastySnapshot(), { service: 's', version: 'v', names });
    expect(doc.metrics.sessions['swift-neural-42']?.packets_dropped).toBe(3);
  });

  it('reports a _seconds histogram shown under an _ms name in milliseconds, and nothing else scaled', () => {
    const registry = new Registry();
    const scope = registry.scope('s1');
    scope.histogram({ name: 'tick_to_send_seconds' }).observe(0.002);
    scope.histogram({ name: 'wait_seconds' }).observe(0.5);
    scope.histogram({ name: 'size_bytes' }).observe(100);
    const names = new Map([
      ['tick_to_send_seconds', 'network_latency_ms'],
      ['size_bytes', 'size_ms'],
    ]);
    const doc = toSessionsDocument(registry.snapshotSync(), { service: 's', version: 'v', names });
    expect(doc.metrics.sessions.s1).toMatchObject({
      network_latency_ms: { mean: 2, std: 0, max: 2 },
      wait_seconds: { mean: 0.5, max: 0.5 },
      size_ms: { mean: 100, max: 100 },
    });
  });
});
