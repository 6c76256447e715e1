import { describe, expect, it } from 'vitest';
import { MetricsCollector } from '../../src/collector/metrics-collector.js';
import { toPrometheusText } from '../../src/expo/prometheus-text.js';

describe('MetricsCollector (the event-server seed facade)', () => {
  it('records timings, counters and gauges with dotted names and free-form tags', () => {
    const m = new MetricsCollector();
    m.timing('event.processing.duration', 0.005);
    m.timing('event.processing.duration', 0.015, { event_type: '/live/track/renamed' });
    m.timing('event.processing.duration', 0.025, { event_type: '/live/track/renamed' });
    m.increment('events.processed');
    m.increment('events.dropped', 5);
    m.increment('events.processed', 1, { event_type: '/live/scene/added' });
    m.gauge('websocket.clients', 3);
    m.gauge('websocket.clients', 1);

    expect(m.getTiming('event.processing.duration')?.count).toBe(1);
    const tagged = m.getTiming('event.processing.duration', { event_type: '/live/track/renamed' })!;
    expect(tagged.count).toBe(2);
    expect(tagged.mean).toBeCloseTo(0.02, 12);
    expect(m.getCounter('events.processed')).toEqual({ value: 1 });
    expect(m.getCounter('events.dropped')).toEqual({ value: 5 });
    expect(m.getGauge('websocket.clients')).toEqual({ current: 1, min: 1, max: 3, mean: 2 });
    expect(m.getCounter('never.seen')).toBeUndefined();

    const doc = m.getAllMetrics();
    expect(doc.metrics.counters['events.processed']).toEqual({ value: 1 });
    expect(doc.metrics.counters['events.processed[event_type=/live/scene/added]']).toEqual({ value: 1 });
    expect(doc.metrics.gauges['websocket.clients']).toMatchObject({ current: 1, max: 3 });
    expect(doc.metrics.timings['event.processing.duration[event_type=/live/track/renamed]']).toMatchObject({
      count: 2,
    });
  });

  it('exposes legal Prometheus names, one family per name whatever the tags', () => {
    const m = new MetricsCollector();
    m.timing('event.processing.duration', 0.005);
    m.timing('event.processing.duration', 0.005, { 'event-type': 'x' });
    m.increment('events.processed');
    const text = toPrometheusText(m.registry.snapshotSync());
    expect(text.match(/# TYPE event_processing_duration histogram/g)).toHaveLength(1);
    expect(text).toContain('event_processing_duration_count{event_type="x"} 1');
    expect(text).toContain('# TYPE events_processed_total counter');
  });

  it('finds a series whatever order the tags were given in', () => {
    const m = new MetricsCollector();
    m.increment('req', 1, { a: '1', b: '2' });
    m.increment('req', 1, { b: '2', a: '1' });
    expect(m.getCounter('req', { b: '2', a: '1' })).toEqual({ value: 2 });
  });

  it('turns a decremented counter into an up-down counter, keeping its value', () => {
    const m = new MetricsCollector();
    m.increment('websocket.clients', 3);
    m.decrement('websocket.clients');
    m.increment('websocket.clients');
    expect(m.getCounter('websocket.clients')).toEqual({ value: 3 });
    const text = toPrometheusText(m.registry.snapshotSync());
    expect(text).toContain('# TYPE websocket_clients gauge');
    expect(text).not.toContain('websocket_clients_total');
  });

  it('measures with timer(), resets, and records nothing while disabled', () => {
    const m = new MetricsCollector();
    const stop = m.timer('op');
    expect(stop()).toBeGreaterThanOrEqual(0);
    m.increment('c', 2);
    m.gauge('g', 4);
    m.resetCounters();
    expect(m.getCounter('c')).toEqual({ value: 0 });
    expect(m.getGauge('g')?.current).toBe(4);
    m.reset();
    expect(m.getGauge('g')?.current).toBe(0);
    m.enabled = false;
    m.increment('c');
    expect(m.getCounter('c')).toEqual({ value: 0 });
    const off = new MetricsCollector({ enabled: false });
    off.increment('x');
    expect(off.getAllMetrics().metrics.counters).toEqual({});
  });
});
