import { describe, expect, it } from 'vitest';
import type { RegistrySnapshot } from '../../src/core/snapshot.js';
import { toCollectorDocument } from '../../src/expo/collector-json.js';
import { counterPoint, histogramPoint, nastySnapshot } from './fixture.js';

describe('toCollectorDocument', () => {
  it('matches the golden file for the nasty fixture', async () => {
    const json = `${JSON.stringify(toCollectorDocument(nastySnapshot()), null, 2)}\n`;
    await expect(json).toMatchFileSnapshot('./golden/nasty.collector.json');
  });

  it("keys series as the event-server seed does, with the user's dotted names", () => {
    const bounds = [1];
    const snapshot: RegistrySnapshot = {
      timestamp: Date.UTC(2025, 10, 28, 10, 30),
      startTime: Date.UTC(2025, 10, 28, 9, 30) - 500,
      scopeLabel: 'session',
      scopes: [],
      metrics: [
        {
          type: 'counter',
          name: 'events_processed_total',
          help: '',
          unit: '',
          points: [counterPoint({}, 15420)],
        },
        {
          type: 'histogram',
          name: 'event_processing_duration',
          help: '',
          unit: '',
          bounds,
          quantiles: [0.5, 0.999],
          points: [histogramPoint({ event_type: '/live/track/renamed', handler: 'h' }, bounds, [0.2, 0.4])],
        },
      ],
    };
    const names = new Map([
      ['events_processed_total', 'events.processed'],
      ['event_processing_duration', 'event.processing.duration'],
    ]);
    const doc = toCollectorDocument(snapshot, names);
    expect(doc.timestamp).toBe('2025-11-28T10:30:00.000Z');
    expect(doc.uptime_seconds).toBe(3600.5);
    expect(doc.metrics.counters).toEqual({ 'events.processed': { value: 15420 } });
    expect(doc.metrics.timings).toEqual({
      'event.processing.duration[event_type=/live/track/renamed,handler=h]': {
        count: 2,
        sum: 0.6000000000000001,
        min: 0.2,
        max: 0.4,
        mean: 0.30000000000000004,
        std: 0.1,
        p50: 0.4,
        p999: 0.4,
      },
    });
  });

  it('writes null for NaN and infinities, which JSON cannot hold', () => {
    const snapshot = nastySnapshot();
    const doc = toCollectorDocument(snapshot);
    expect(doc.metrics.gauges['temperature_celsius[sensor=ninf]']).toEqual({
      current: null,
      min: null,
      max: 3,
      mean: null,
    });
    expect(doc.metrics.timings.request_duration_seconds?.p50).toBeNull();
  });
});
