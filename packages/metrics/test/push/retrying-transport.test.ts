import { afterEach, describe, expect, it, vi } from 'vitest';
import { VigilError } from '../../src/base/errors.js';
import { Registry } from '../../src/core/registry.js';
import { type ExportResult, failure, retryable, SUCCESS } from '../../src/push/export-result.js';
import { PushStats } from '../../src/push/push-stats.js';
import { RetryingTransport, type RetryOptions, type Transport } from '../../src/push/retrying-transport.js';
import { pushCount, RecordingClock, until } from './peers.js';

/** A transport that answers from a script and records when each attempt started. */
function scripted(results: Array<ExportResult | 'hang' | 'throw'>, clock: RecordingClock) {
  const startedAt: number[] = [];
  const transport: Transport<string> = {
    send(_payload, signal) {
      startedAt.push(clock.now());
      const next = results.shift() ?? SUCCESS;
      if (next === 'throw') throw new Error('boom');
      if (next !== 'hang') return Promise.resolve(next);
      return new Promise((resolve) =>
        signal.addEventListener('abort', () => resolve(retryable('timeout', String(signal.reason)))),
      );
    },
  };
  return { transport, startedAt };
}

function setup(results: Array<ExportResult | 'hang' | 'throw'>, retry: RetryOptions = {}, timeoutMs = 5_000) {
  const clock = new RecordingClock(0);
  const registry = new Registry({ clock });
  const { transport, startedAt } = scripted(results, clock);
  const retrying = new RetryingTransport(transport, {
    clock,
    stats: new PushStats(registry, 'test'),
    timeoutMs,
    retry: { random: () => 0.5, ...retry },
  });
  return { clock, registry, retrying, startedAt };
}

const unavailable = retryable('http_5xx', 'POST x → 503');

afterEach(() => {
  vi.restoreAllMocks();
});

describe('RetryingTransport', () => {
  it('retries with exponential backoff and succeeds, counting each failed attempt', async () => {
    const { clock, registry, retrying, startedAt } = setup([unavailable, unavailable, SUCCESS]);
    const pending = retrying.send('payload', 3);
    await until(() => startedAt.length === 1 && clock.timers.length === 2, 'the first backoff');
    clock.advance(1_000);
    await until(() => startedAt.length === 2 && clock.timers.length === 4, 'the second backoff');
    clock.advance(2_000);
    expect(await pending).toEqual(SUCCESS);
    expect(startedAt).toEqual([0, 1_000, 3_000]);
    // a timeout timer per attempt, and the backoffs between them
    expect(clock.timers).toEqual([5_000, 1_000, 5_000, 2_000, 5_000]);
    expect(pushCount(registry, 'vigil_push_failures_total', 'test', 'http_5xx')).toBe(2);
    expect(pushCount(registry, 'vigil_push_dropped_total', 'test', 'http_5xx')).toBe(0);
  });

  it('gives up after maxAttempts and counts the payload’s items as dropped', async () => {
    const { clock, registry, retrying, startedAt } = setup([unavailable, unavailable], { maxAttempts: 2 });
    const pending = retrying.send('payload', 7);
    await until(() => clock.timers.length === 2);
    clock.advance(1_000);
    expect(await pending).toEqual(unavailable);
    expect(startedAt).toEqual([0, 1_000]);
    expect(pushCount(registry, 'vigil_push_failures_total', 'test', 'http_5xx')).toBe(2);
    expect(pushCount(registry, 'vigil_push_dropped_total', 'test', 'http_5xx')).toBe(7);
  });

  it('does not retry a final failure', async () => {
    const rejected = failure('http_4xx', 'POST x → 400 bad line');
    const { registry, retrying, startedAt } = setup([rejected]);
    expect(await retrying.send('payload', 2)).toEqual(rejected);
    expect(startedAt).toEqual([0]);
    expect(pushCount(registry, 'vigil_push_failures_total', 'test', 'http_4xx')).toBe(1);
    expect(pushCount(registry, 'vigil_push_dropped_total', 'test', 'http_4xx')).toBe(2);
  });

  it('times an attempt out on the injected clock', async () => {
    const { clock, registry, retrying } = setup(['hang'], { maxAttempts: 1 }, 2_500);
    const pending = retrying.send('payload', 1);
    await until(() => clock.timers.length === 1);
    clock.advance(2_499);
    clock.advance(1);
    const result = await pending;
    expect(result).toMatchObject({ code: 'retryable', reason: 'timeout' });
    expect(result.code !== 'success' && result.message).toContain('no answer within 2500 ms');
    expect(pushCount(registry, 'vigil_push_dropped_total', 'test', 'timeout')).toBe(1);
  });

  it('turns a transport that throws into a counted failure instead of a rejection', async () => {
    const { registry, retrying } = setup(['throw']);
    expect(await retrying.send('payload', 1)).toMatchObject({ code: 'failure', reason: 'network' });
    expect(pushCount(registry, 'vigil_push_dropped_total', 'test', 'network')).toBe(1);
  });

  it('spreads each wait over ±jitter and caps it at maxDelayMs', () => {
    const at = (random: number) =>
      setup([], { random: () => random, initialDelayMs: 100, maxDelayMs: 1_000, multiplier: 2, jitter: 0.2 })
        .retrying;
    expect([1, 2, 3, 4].map((n) => at(0.5).backoffMs(n))).toEqual([100, 200, 400, 800]);
    expect([1, 2, 3].map((n) => at(0).backoffMs(n))).toEqual([80, 160, 320]);
    expect([1, 2, 3].map((n) => at(0.999_999).backoffMs(n))).toEqual([120, 240, 480]);
    expect(at(0.999_999).backoffMs(4)).toBe(960);
    expect(at(0.999_999).backoffMs(5)).toBe(1_000);
    expect(at(0.5).backoffMs(20)).toBe(1_000);
  });

  it('waits at least a peer’s Retry-After, up to maxDelayMs', async () => {
    const { retrying } = setup([], { maxDelayMs: 10_000 });
    expect(retrying.backoffMs(1, 4_000)).toBe(4_000);
    expect(retrying.backoffMs(1, 10)).toBe(1_000);
    expect(retrying.backoffMs(1, 60_000)).toBe(10_000);
    const slow = setup([retryable('http_4xx', '429', 4_000), SUCCESS]);
    const pending = slow.retrying.send('payload', 1);
    await until(() => slow.clock.timers.length === 2);
    expect(slow.clock.timers[1]).toBe(4_000);
    slow.clock.advance(4_000);
    expect(await pending).toEqual(SUCCESS);
  });

  it('on close, a payload waiting out a backoff tries once more at once and then gives up', async () => {
    const { clock, registry, retrying, startedAt } = setup([unavailable, unavailable, SUCCESS]);
    const pending = retrying.send('payload', 4);
    await until(() => clock.timers.length === 2);
    retrying.close();
    expect(await pending).toEqual(unavailable);
    expect(startedAt).toEqual([0, 0]);
    expect(pushCount(registry, 'vigil_push_dropped_total', 'test', 'http_5xx')).toBe(4);
  });

  it('warns once per reason, and counts every drop', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const rejected = failure('http_4xx', 'POST http://peer/write → 400 bad');
    const { registry, retrying } = setup([rejected, rejected, failure('network', 'refused')]);
    await retrying.send('a', 1);
    await retrying.send('b', 1);
    await retrying.send('c', 1);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(String(warn.mock.calls[0]?.[0])).toContain('POST http://peer/write → 400 bad');
    expect(warn.mock.calls[0]?.[1]).toEqual({ code: 'VIGIL_DROPPED' });
    expect(pushCount(registry, 'vigil_push_dropped_total', 'test', 'http_4xx')).toBe(2);
  });

  it.each([
    ['timeoutMs', { timeoutMs: 0 }],
    ['retry.maxAttempts', { retry: { maxAttempts: 0 } }],
    ['retry.maxAttempts', { retry: { maxAttempts: 1.5 } }],
    ['retry.initialDelayMs', { retry: { initialDelayMs: -1 } }],
    ['retry.maxDelayMs', { retry: { maxDelayMs: Number.POSITIVE_INFINITY } }],
    ['retry.multiplier', { retry: { multiplier: 0.5 } }],
    ['retry.jitter', { retry: { jitter: 2 } }],
    ['retry.random', { retry: { random: 3 as never } }],
    ['retry', { retry: 'often' as never }],
  ])('rejects a bad %s at construction', (option, options) => {
    const clock = new RecordingClock(0);
    const make = () =>
      new RetryingTransport(scripted([], clock).transport, {
        clock,
        stats: new PushStats(new Registry(), 'test'),
        ...options,
      });
    expect(make).toThrow(VigilError);
    expect(make).toThrow(new RegExp(`^${option.replace('.', '\\.')}: got`));
  });
});
