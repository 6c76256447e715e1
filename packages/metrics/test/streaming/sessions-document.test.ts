import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/base/clock.js';
import { Registry } from '../../src/core/registry.js';
import { toPrometheusText } from '../../src/expo/prometheus-text.js';
import { toSessionsDocument } from '../../src/expo/sessions-json.js';
import { ConnectionMetrics } from '../../src/streaming/connection-metrics.js';
import { SequenceTracker } from '../../src/streaming/sequence-tracker.js';
import { streamingSessionNames } from '../../src/streaming/stream-names.js';
import { TickMonitor } from '../../src/streaming/tick-monitor.js';

describe("the streaming seed's per-session document", () => {
  it('shows packets_sent, dropped_packets, network_latency_ms and timing_error_ms per scope', () => {
    const clock = new ManualClock(1_705_075_200_123);
    const registry = new Registry({ clock });
    const session = registry.scope('swift-neural-42');
    const ticks = new TickMonitor({ metrics: session, clock });
    new ConnectionMetrics({ metrics: session }).connected();
    const other = new TickMonitor({ metrics: registry.scope('calm-river-7'), clock });
    const t0 = clock.now();
    const at = (ms: number) => clock.advance(t0 + ms - clock.now());
    ticks.tick();
    other.tick();
    // Slots at 25, 50, 75 ms; ticks 1, 0 and 2 ms late; packets out 2, 4 and 6 ms after their tick.
    for (const [tickAt, sentAt] of [
      [26, 28],
      [50, 54],
      [77, 83],
    ] as const) {
      at(tickAt);
      const t = ticks.tick();
      at(sentAt);
      ticks.sent(t);
    }
    ticks.dropped();

    const doc = toSessionsDocument(registry.snapshotSync(), {
      service: 'PhantomLink Core',
      version: '0.2.0',
      names: streamingSessionNames(),
    });
    const entry = doc.metrics.sessions['swift-neural-42']!;
    expect(entry).toMatchObject({
      packets_sent: 3,
      dropped_packets: 1,
      is_running: true,
      is_paused: false,
      connections: 1,
    });
    expect(entry.network_latency_ms).toEqual({ mean: 4, std: expect.closeTo(1.633, 3), max: 6 });
    expect(entry.timing_error_ms).toEqual({ mean: 1, std: expect.closeTo(0.8165, 4), max: 2 });
    expect(doc.metrics.sessions['calm-river-7']).toMatchObject({ packets_sent: 0, dropped_packets: 0 });
    expect(doc.metrics.total_connections).toBe(1);

    // Prometheus sees base units and _total, with the session as a label.
    const text = toPrometheusText(registry.snapshotSync());
    expect(text).toContain('stream_packets_sent_total{session="swift-neural-42"} 3');
    expect(text).toContain('# TYPE stream_tick_to_send_seconds histogram');
  });

  it('shows the receiving side too: packets received, gaps, dropped', () => {
    const registry = new Registry();
    const udp = new SequenceTracker({ metrics: registry.scope('udp-listener'), reorderWindow: 2 });
    for (const seq of [0, 1, 4, 5, 6]) udp.receive(seq);
    const doc = toSessionsDocument(registry.snapshotSync(), {
      service: 's',
      version: 'v',
      names: streamingSessionNames(),
    });
    expect(doc.metrics.sessions['udp-listener']).toMatchObject({
      packets_received: 5,
      dropped_packets: 2,
      sequence_gaps: 1,
    });
  });
});
