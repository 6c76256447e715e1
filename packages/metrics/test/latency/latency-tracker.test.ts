import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/base/clock.js';
import { Registry } from '../../src/core/registry.js';
import { LatencyTracker } from '../../src/latency/latency-tracker.js';
import type { ThresholdEvent } from '../../src/latency/threshold-alerts.js';

const work = mkdtempSync(join(tmpdir(), 'vigil-latency-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A tracker on a ManualClock at 2025-01-01T12:00:00Z; `slow(ms)` is a function that takes `ms`. */
function setup(options: ConstructorParameters<typeof LatencyTracker>[0] = {}) {
  const clock = new ManualClock(Date.UTC(2025, 0, 1, 12));
  const tracker = new LatencyTracker({ clock, ...options });
  const slow = (ms: number, fail?: unknown) => async (): Promise<string> => {
    await Promise.resolve();
    clock.advance(ms);
    if (fail !== undefined) throw fail;
    return 'done';
  };
  return { clock, tracker, slow };
}

describe('LatencyTracker.measureLatency', () => {
  it('wraps an async function: latency from the clock, status, provider, name and timestamp', async () => {
    const { tracker, slow } = setup();
    const transcribe = tracker.measureLatency('speech_to_text', { provider: 'google' })(
      Object.defineProperty(slow(1500), 'name', { value: 'transcribe_audio_async' }),
    );
    await expect(transcribe()).resolves.toBe('done');
    expect(tracker.getRecentMetrics()).toEqual([
      {
        type: 'speech_to_text',
        name: 'transcribe_audio_async',
        latencyMs: 1500,
        status: 'success',
        timestamp: Date.UTC(2025, 0, 1, 12) + 1500,
        provider: 'google',
        correlation: {},
        error: undefined,
        metadata: {},
      },
    ]);
  });

  it('records errors and timeouts, and passes results and errors through unchanged', async () => {
    const { tracker, slow, clock } = setup();
    const boom = new Error('quota exceeded');
    const failing = tracker.measureLatency('text_to_speech', { provider: 'openai', name: 'speak' })(
      slow(10, boom),
    );
    await expect(failing()).rejects.toBe(boom);
    const timeout = Object.assign(new Error('slow'), { name: 'TimeoutError' });
    await expect(tracker.measureLatency('text_to_speech')(slow(20, timeout))()).rejects.toBe(timeout);
    const capped = tracker.measureLatency('rag_inference', { timeoutMs: 100 });
    await capped(slow(150))();
    await capped(slow(50))();
    const sync = tracker.measureLatency('crm_api')((x: number) => {
      clock.advance(5);
      if (x < 0) throw new TypeError('negative');
      return x * 2;
    });
    expect(sync(21)).toBe(42);
    expect(() => sync(-1)).toThrow('negative');
    expect(tracker.getRecentMetrics().map((r) => [r.type, r.name, r.status, r.latencyMs, r.error])).toEqual([
      ['text_to_speech', 'speak', 'error', 10, 'quota exceeded'],
      ['text_to_speech', 'text_to_speech', 'timeout', 20, 'slow'],
      ['rag_inference', 'rag_inference', 'timeout', 150, undefined],
      ['rag_inference', 'rag_inference', 'success', 50, undefined],
      ['crm_api', 'crm_api', 'success', 5, undefined],
      ['crm_api', 'crm_api', 'error', 5, 'negative'],
    ]);
    expect(tracker.getRecentMetrics()[0]?.provider).toBe('openai');
    expect(tracker.getRecentMetrics()[1]?.provider).toBe('unknown');
  });

  it('decorates methods with standard and legacy decorators, keeping `this` and the method name', async () => {
    const { tracker, clock } = setup();
    const decorate = tracker.measureLatency('crm_api', { provider: 'salesforce' });
    class Crm {
      constructor(readonly region: string) {}
      async findLead(id: number) {
        clock.advance(1200);
        return `${this.region}:${id}`;
      }
      count() {
        clock.advance(3);
        return 7;
      }
    }
    const standard = decorate(Crm.prototype.findLead, {
      kind: 'method',
      name: 'findLead',
    } as ClassMethodDecoratorContext);
    Crm.prototype.findLead = standard;
    const legacy = decorate(Crm.prototype, 'count', Object.getOwnPropertyDescriptor(Crm.prototype, 'count')!);
    Object.defineProperty(Crm.prototype, 'count', legacy);
    const crm = new Crm('eu');
    await expect(crm.findLead(4)).resolves.toBe('eu:4');
    expect(crm.count()).toBe(7);
    expect(tracker.getRecentMetrics().map((r) => [r.name, r.latencyMs, r.provider])).toEqual([
      ['findLead', 1200, 'salesforce'],
      ['count', 3, 'salesforce'],
    ]);
    expect(() => decorate({}, 'x', { get: () => 1 })).toThrow(
      'measureLatency on x: got undefined, expected a method',
    );
    expect(() => decorate(() => 1, { kind: 'getter', name: 'g' } as never)).toThrow('expected a method');
  });

  it('refuses bad options at once, naming them', () => {
    const { tracker } = setup();
    expect(() => tracker.measureLatency('')).toThrow('measureLatency(type): got ""');
    expect(() => tracker.measureLatency('stt', { provider: '' })).toThrow(
      'provider: got "", expected a non-empty string',
    );
    expect(() => tracker.measureLatency('stt', { timeoutMs: 0 })).toThrow(
      'timeoutMs: got 0, expected a number > 0',
    );
    expect(() => new LatencyTracker({ capacity: 0 })).toThrow('capacity: got 0');
    expect(() => new LatencyTracker({ prefix: 'bad-prefix' })).toThrow('prefix: got "bad-prefix"');
    expect(() => new LatencyTracker({ thresholds: { stt: { warningMs: 9, criticalMs: 1 } } })).toThrow(
      'thresholds.stt.warningMs: got 9, expected at most criticalMs = 1',
    );
  });
});

describe('LatencyTracker block forms', () => {
  it('measure(type, name, fn) and start(type, name) record like the wrapper', async () => {
    const { tracker, clock } = setup();
    const value = tracker.measure('rag_inference', 'custom_operation', () => {
      clock.advance(40);
      return 1;
    });
    expect(value).toBe(1);
    await tracker.measure('rag_inference', 'async_op', async () => clock.advance(60), { provider: 'openai' });
    const stop = tracker.start('speech_to_text', 'stream_chunk', { provider: 'hybrid' });
    clock.advance(25);
    expect(stop()).toBe(25);
    clock.advance(10);
    expect(stop()).toBe(25);
    const failed = tracker.start('crm_api', 'upsert');
    clock.advance(7);
    failed({ error: new Error('409 conflict'), metadata: { lead: 'L1' } });
    expect(
      tracker.getRecentMetrics().map((r) => [r.name, r.latencyMs, r.status, r.provider, r.metadata]),
    ).toEqual([
      ['custom_operation', 40, 'success', 'unknown', {}],
      ['async_op', 60, 'success', 'openai', {}],
      ['stream_chunk', 25, 'success', 'hybrid', {}],
      ['upsert', 7, 'error', 'unknown', { lead: 'L1' }],
    ]);
  });

  it('record() takes a latency measured elsewhere and drops impossible ones', () => {
    const { tracker } = setup();
    tracker.record({ type: 'speech_to_text', name: 'x', latencyMs: 12, provider: 'google' });
    tracker.record({ type: 'speech_to_text', name: 'x', latencyMs: Number.NaN });
    tracker.record({ type: 'speech_to_text', name: 'x', latencyMs: -1 });
    tracker.record({ type: 'speech_to_text', name: 'x', latencyMs: Number.POSITIVE_INFINITY });
    expect(tracker.getRecentMetrics()).toHaveLength(1);
    expect(tracker.dropped).toBe(3);
  });
});

describe('LatencyTracker thresholds', () => {
  it("emits warning and critical events at the seed's defaults, and none below", async () => {
    const { tracker, slow } = setup();
    const events: ThresholdEvent[] = [];
    tracker.on('threshold', (e) => events.push(e));
    const stt = (ms: number) => tracker.measureLatency('speech_to_text', { provider: 'google' })(slow(ms))();
    await stt(1999);
    await stt(2000);
    await stt(4999);
    await stt(5000);
    await tracker.measureLatency('my_custom_op')(slow(1e6))();
    expect(events.map((e) => [e.level, e.thresholdMs, e.record.latencyMs, e.suppressed])).toEqual([
      ['warning', 2000, 2000, 0],
      ['warning', 2000, 4999, 0],
      ['critical', 5000, 5000, 0],
    ]);
    expect(events[0]?.record.type).toBe('speech_to_text');
  });

  it('takes thresholds per type from options, including user-defined types', () => {
    const { tracker } = setup({
      thresholds: { crm_api: { warningMs: 10, criticalMs: 20 }, ocr: { warningMs: 1, criticalMs: 2 } },
    });
    const levels: string[] = [];
    tracker.on('threshold', (e) => levels.push(`${e.record.type}:${e.level}`));
    tracker.record({ type: 'crm_api', name: 'a', latencyMs: 15 });
    tracker.record({ type: 'ocr', name: 'b', latencyMs: 3 });
    tracker.record({ type: 'speech_to_text', name: 'c', latencyMs: 2500 });
    expect(levels).toEqual(['crm_api:warning', 'ocr:critical', 'speech_to_text:warning']);
    expect(tracker.threshold('ocr')).toEqual({ warningMs: 1, criticalMs: 2 });
    expect(tracker.threshold('nothing')).toBeUndefined();
  });

  it('holds back repeats within the cooldown and counts them in the next event', () => {
    const { tracker, clock } = setup({ cooldownMs: 60_000 });
    const events: ThresholdEvent[] = [];
    const stop = tracker.on('threshold', (e) => events.push(e));
    for (let i = 0; i < 5; i++) {
      tracker.record({ type: 'rag_inference', name: 'q', latencyMs: 9000 });
      clock.advance(10_000);
    }
    clock.advance(20_000);
    tracker.record({ type: 'rag_inference', name: 'q', latencyMs: 9000 });
    expect(events.map((e) => e.suppressed)).toEqual([0, 4]);
    stop();
    clock.advance(120_000);
    tracker.record({ type: 'rag_inference', name: 'q', latencyMs: 9000 });
    expect(events).toHaveLength(2);
  });

  it('survives a listener that throws: the call succeeds and the error becomes a process warning', async () => {
    const { tracker, slow } = setup();
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const seen: string[] = [];
    tracker.on('threshold', () => {
      throw new Error('listener bug');
    });
    tracker.on('threshold', (e) => seen.push(e.level));
    try {
      await expect(tracker.measureLatency('crm_api')(slow(3500))()).resolves.toBe('done');
      expect(warn).toHaveBeenCalledWith(expect.objectContaining({ message: 'listener bug' }));
      expect(seen).toEqual(['critical']);
    } finally {
      warn.mockRestore();
    }
  });

  it('logs crossings to console.warn when logThresholds is on', () => {
    const { tracker } = setup({ logThresholds: true });
    const log = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      tracker.record({ type: 'text_to_speech', name: 'speak', latencyMs: 1600, provider: 'google' });
      expect(log).toHaveBeenCalledWith(
        '[latency] warning: text_to_speech speak (google) took 1600.0 ms, threshold 1500 ms',
      );
    } finally {
      log.mockRestore();
    }
  });
});

describe('LatencyTracker registry metrics', () => {
  it('feeds <prefix>_operation_duration_seconds and <prefix>_operations_total by operation, provider, status', async () => {
    const registry = new Registry();
    const { tracker, slow } = setup({ registry, prefix: 'callbot' });
    const stt = tracker.measureLatency('speech_to_text', { provider: 'google' });
    await stt(slow(1500))();
    await stt(slow(500))();
    await expect(stt(slow(100, new Error('x')))()).rejects.toThrow('x');
    const duration = registry.getMetric(
      'callbot_operation_duration_seconds',
    ) as import('../../src/core/histogram.js').Histogram;
    const total = registry.getMetric(
      'callbot_operations_total',
    ) as import('../../src/core/counter.js').Counter;
    const ok = { operation: 'speech_to_text', provider: 'google', status: 'success' };
    expect(duration.get(ok)).toMatchObject({ count: 2, sum: 2, max: 1.5 });
    expect(total.get(ok)).toBe(2);
    expect(total.get({ ...ok, status: 'error' })).toBe(1);
    expect(duration.labelNames).toEqual(['operation', 'provider', 'status']);
  });
});

describe('LatencyTracker queries', () => {
  it('gives statistics per type and provider: count, error rate, mean and percentiles in ms', () => {
    const { tracker } = setup();
    for (let i = 1; i <= 100; i++)
      tracker.record({ type: 'speech_to_text', name: 't', latencyMs: i * 10, provider: 'google' });
    for (let i = 1; i <= 100; i++) {
      tracker.record({
        type: 'speech_to_text',
        name: 't',
        latencyMs: 5000 + i,
        provider: 'openai',
        status: i <= 10 ? 'error' : i <= 15 ? 'timeout' : 'success',
      });
    }
    const stats = tracker.getStats();
    expect(Object.keys(stats)).toEqual(['speech_to_text']);
    const google = stats.speech_to_text!.providers.google!;
    expect(google).toMatchObject({
      count: 100,
      success: 100,
      errors: 0,
      timeouts: 0,
      errorRate: 0,
      min: 10,
      max: 1000,
    });
    expect(google.mean).toBeCloseTo(505, 9);
    expect(google.p50 / 500).toBeCloseTo(1, 2);
    expect(google.p95 / 950).toBeCloseTo(1, 2);
    expect(google.p99 / 990).toBeCloseTo(1, 2);
    const openai = stats.speech_to_text!.providers.openai!;
    expect(openai).toMatchObject({ count: 100, errors: 10, timeouts: 5, errorRate: 0.15 });
    const all = stats.speech_to_text!;
    expect(all).toMatchObject({ count: 200, errors: 10, timeouts: 5, errorRate: 0.075, min: 10, max: 5100 });
    expect(all.p50 / 1000).toBeCloseTo(1, 2);
  });

  it('keeps the last `capacity` records, oldest first, and averages over the last N minutes', () => {
    const { tracker, clock } = setup({ capacity: 4 });
    for (let i = 1; i <= 6; i++) {
      tracker.record({ type: 'speech_to_text', name: `n${i}`, latencyMs: i * 100 });
      clock.advance(60_000);
    }
    expect(tracker.getRecentMetrics().map((r) => r.name)).toEqual(['n3', 'n4', 'n5', 'n6']);
    expect(tracker.getRecentMetrics(2).map((r) => r.name)).toEqual(['n5', 'n6']);
    // Records were stamped at t0 + 0..5 min; now is t0 + 6 min.
    expect(tracker.getAverageLatency('speech_to_text', 2)).toBe(550);
    expect(tracker.getAverageLatency('speech_to_text', 60)).toBe(450);
    expect(tracker.getAverageLatency('text_to_speech', 60)).toBeNaN();
    expect(tracker.getAverageLatency('speech_to_text', 60, 'google')).toBeNaN();
    expect(() => tracker.getAverageLatency('speech_to_text', 0)).toThrow('getAverageLatency(minutes): got 0');
  });

  it('resets records and statistics, and leaves the registry alone', () => {
    const registry = new Registry();
    const { tracker } = setup({ registry });
    tracker.record({ type: 'crm_api', name: 'a', latencyMs: 5 });
    tracker.reset();
    expect(tracker.getStats()).toEqual({});
    expect(tracker.getRecentMetrics()).toEqual([]);
    tracker.record({ type: 'crm_api', name: 'b', latencyMs: 7 });
    expect(tracker.getStats().crm_api?.count).toBe(1);
    const total = registry.getMetric(
      'latency_operations_total',
    ) as import('../../src/core/counter.js').Counter;
    expect(total.get({ operation: 'crm_api', provider: 'unknown', status: 'success' })).toBe(2);
  });

  it('exports statistics and records as JSON, in the seed shape', async () => {
    const { tracker } = setup();
    tracker.record({
      type: 'speech_to_text',
      name: 'transcribe_audio_async',
      latencyMs: 1500,
      provider: 'google',
      correlation: { call_sid: 'CA123456789', stream_sid: 'ST987654321' },
    });
    const file = join(work, 'nested', 'latency_export.json');
    await tracker.exportMetrics(file);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    expect(doc.exported_at).toBe('2025-01-01T12:00:00.000Z');
    expect(doc.stats.speech_to_text.count).toBe(1);
    expect(doc.metrics).toEqual([
      {
        operation_type: 'speech_to_text',
        operation_name: 'transcribe_audio_async',
        latency_ms: 1500,
        status: 'success',
        timestamp: '2025-01-01T12:00:00.000Z',
        provider: 'google',
        correlation: { call_sid: 'CA123456789', stream_sid: 'ST987654321' },
        error_message: null,
        metadata: {},
      },
    ]);
  });
});

describe('LatencyTracker correlation', () => {
  it('takes ids from the options, from each call, and from withCorrelation across awaits', async () => {
    const { tracker, slow } = setup();
    await tracker.measureLatency('crm_api', { correlation: { tenant: 't1' } })(slow(1))();
    const perCall = tracker.measureLatency('speech_to_text', {
      correlation: (_self, args) => ({ call_sid: String(args[0]) }),
    })(async (sid: string) => sid);
    await perCall('CA1');
    await tracker.withCorrelation({ call_sid: 'CA2' }, async () => {
      await Promise.resolve();
      await tracker.withCorrelation({ stream_sid: 'ST2' }, () =>
        tracker.measureLatency('text_to_speech')(slow(1))(),
      );
      tracker.record({
        type: 'rag_inference',
        name: 'r',
        latencyMs: 1,
        correlation: { call_sid: 'override' },
      });
    });
    expect(tracker.getRecentMetrics().map((r) => r.correlation)).toEqual([
      { tenant: 't1' },
      { call_sid: 'CA1' },
      { call_sid: 'CA2', stream_sid: 'ST2' },
      { call_sid: 'override' },
    ]);
  });
});

describe('LatencyTracker modes', () => {
  it('disabled: functions come back untouched and nothing is recorded', async () => {
    const { tracker } = setup({ enabled: false, file: { path: join(work, 'never.jsonl') } });
    const fn = async () => 1;
    expect(tracker.measureLatency('speech_to_text')(fn)).toBe(fn);
    expect(tracker.measure('crm_api', 'x', () => 2)).toBe(2);
    expect(tracker.start('crm_api', 'x')()).toBe(0);
    tracker.record({ type: 'crm_api', name: 'x', latencyMs: 1 });
    expect(tracker.getRecentMetrics()).toEqual([]);
    expect(tracker.sink).toBeUndefined();
  });

  it('past maxOperations, new (type, provider) pairs share the vigil_overflow statistics', () => {
    const { tracker } = setup({ maxOperations: 2 });
    tracker.record({ type: 'a', name: 'x', latencyMs: 1 });
    tracker.record({ type: 'b', name: 'x', latencyMs: 2 });
    tracker.record({ type: 'c', name: 'x', latencyMs: 3 });
    tracker.record({ type: 'speech_to_text', name: 'x', latencyMs: 4, provider: 'p' });
    expect(Object.keys(tracker.getStats())).toEqual(['a', 'b', 'vigil_overflow']);
    expect(tracker.getStats().vigil_overflow?.count).toBe(2);
    expect(tracker.getRecentMetrics().map((r) => r.type)).toEqual(['a', 'b', 'c', 'speech_to_text']);
  });

  it('appends every record to the JSONL file and closes it', async () => {
    const path = join(work, 'logs', 'latency_metrics.jsonl');
    const { tracker } = setup({ file: { path } });
    tracker.record({
      type: 'speech_to_text',
      name: 'a',
      latencyMs: 1,
      error: new Error('e'),
      status: 'error',
    });
    tracker.record({ type: 'text_to_speech', name: 'b', latencyMs: 2, metadata: { voice: 'alloy' } });
    await tracker.close();
    const lines = readFileSync(path, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.operation_type, l.latency_ms, l.status, l.error_message, l.metadata])).toEqual(
      [
        ['speech_to_text', 1, 'error', 'e', {}],
        ['text_to_speech', 2, 'success', null, { voice: 'alloy' }],
      ],
    );
  });
});
