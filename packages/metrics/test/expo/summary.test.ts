import { describe, expect, it } from 'vitest';
import { toSummary } from '../../src/expo/summary.js';
import { nastySnapshot } from './fixture.js';

describe('toSummary', () => {
  it('matches the golden file for the nasty fixture', async () => {
    await expect(`${JSON.stringify(toSummary(nastySnapshot()), null, 2)}\n`).toMatchFileSnapshot(
      './golden/nasty.summary.json',
    );
  });

  it('sums counters across series, keeps gauges and timings per series', () => {
    const summary = toSummary(nastySnapshot(), new Map([['dropped_packets', 'packets.dropped']]));
    expect(summary.uptime_seconds).toBe(3600.123);
    expect(summary.counters['packets.dropped']).toBe(3);
    expect(summary.counters.packets_sent).toBe(15310);
    expect(summary.gauges['memory_usage_mb[session=calm-river-7]']).toBe(3.25);
    expect(summary.timings['network_latency_ms[session=swift-neural-42]']).toEqual({
      count: 4,
      p50: 1.5,
      p95: 5.6,
      p99: 5.6,
    });
  });
});
