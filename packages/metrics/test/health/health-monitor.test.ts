import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/base/clock.js';
import { VigilError } from '../../src/base/errors.js';
import { Registry } from '../../src/core/registry.js';
import { toPrometheusText } from '../../src/expo/prometheus-text.js';
import type { CheckFn } from '../../src/health/health-check.js';
import { HealthMonitor } from '../../src/health/health-monitor.js';

const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A check whose runs the test settles by hand, after moving the clock. */
function manual() {
  const pending: Array<{
    resolve: (v?: unknown) => void;
    reject: (e: unknown) => void;
    signal: AbortSignal;
  }> = [];
  const check: CheckFn = (signal) =>
    new Promise((resolve, reject) => {
      pending.push({ resolve: resolve as (v?: unknown) => void, reject, signal });
    });
  return { check, pending };
}

/** A synchronous check that is up while `state.up` is true. */
function toggle(initial = true) {
  const state = { up: initial, runs: 0 };
  const check: CheckFn = () => {
    state.runs++;
    if (!state.up) throw new Error('connection refused');
  };
  return { check, state };
}

describe('HealthMonitor', () => {
  it('reports unknown before the first run, then healthy, with times from the clock', async () => {
    const clock = new ManualClock(T0);
    const m = new HealthMonitor({ clock, env: {} });
    const { check, pending } = manual();
    m.register({ name: 'db', check });
    expect(m.status('db')).toMatchObject({ state: 'unknown', healthy: false, runs24h: 0, errorRate24h: 0 });
    expect(m.overall()).toBe('unknown');
    const run = m.run('db');
    clock.advance(1230);
    pending[0]!.resolve();
    expect(await run).toEqual({ timestamp: T0, ok: true, responseTimeMs: 1230 });
    expect(m.status('db')).toMatchObject({
      state: 'healthy',
      healthy: true,
      lastCheck: T0,
      lastSuccess: T0,
      responseTimeMs: 1230,
      uptime24h: 1,
      uptime30d: 1,
      averageResponseTimeMs24h: 1230,
      averageResponseTimeMs30d: 1230,
      reasons: [],
    });
    expect(m.overall()).toBe('healthy');
  });

  it("takes the response time a check reports itself (a probe's own measure), else the run's duration", async () => {
    const clock = new ManualClock(T0);
    const registry = new Registry({ clock });
    const m = new HealthMonitor({ clock, env: {}, registry });
    const reported: (number | undefined)[] = [182.5, -1, Number.NaN, undefined, 0];
    let i = 0;
    m.register({
      name: 'llm',
      kind: 'provider',
      apiKeyEnv: false,
      check: () => ({ ok: true, responseTimeMs: reported[i++] }),
    });
    const times: number[] = [];
    for (let run = 0; run < reported.length; run++) times.push((await m.run('llm')).responseTimeMs);
    // A negative or non-finite report is not a time: the run's own (0 ms on a clock that did not move).
    expect(times).toEqual([182.5, 0, 0, 0, 0]);
    m.register({
      name: 'slow',
      kind: 'provider',
      apiKeyEnv: false,
      check: () => ({ ok: false, error: 'HTTP 503', responseTimeMs: 40 }),
    });
    expect(await m.run('slow')).toMatchObject({ ok: false, responseTimeMs: 40 });
    const text = toPrometheusText(registry.snapshotSync());
    expect(text).toContain('vigil_provider_response_time_seconds{provider="slow"} 0.04');
  });

  it('is degraded when slow or when the 24 h error rate is above the threshold, unhealthy when down', async () => {
    const clock = new ManualClock(T0);
    const m = new HealthMonitor({ clock, env: {}, slowMs: 5000, errorRate: 0.05 });
    const slow = manual();
    m.register({ name: 'slow', check: slow.check });
    const run = m.run('slow');
    clock.advance(6000);
    slow.pending[0]!.resolve();
    await run;
    expect(m.status('slow')).toMatchObject({
      state: 'degraded',
      healthy: true,
      reasons: ['response time 6000 ms above 5000 ms'],
    });

    const flaky = toggle();
    m.register({ name: 'flaky', check: flaky.check });
    for (let i = 0; i < 20; i++) {
      flaky.state.up = i !== 3 && i !== 7;
      await m.run('flaky');
      clock.advance(MINUTE);
    }
    expect(m.status('flaky')).toMatchObject({ state: 'degraded', healthy: true, errorRate24h: 0.1 });
    expect(m.status('flaky')!.reasons).toEqual(['error rate 10% over 24h above 5%']);

    flaky.state.up = false;
    await m.run('flaky');
    expect(m.status('flaky')).toMatchObject({
      state: 'unhealthy',
      healthy: false,
      error: 'connection refused',
    });
    expect(m.overall()).toBe('unhealthy');
  });

  it('lets a non-critical check only degrade the whole', async () => {
    const m = new HealthMonitor({ clock: new ManualClock(T0), env: {} });
    m.register({ name: 'cache', check: () => false, critical: false });
    m.register({ name: 'db', check: () => true });
    await m.runAll();
    expect(m.status('cache')).toMatchObject({ state: 'unhealthy', error: 'check returned false' });
    expect(m.overall()).toBe('degraded');
  });

  it('times a run out on the injected clock, aborts its signal, and ignores a late answer', async () => {
    const clock = new ManualClock(T0);
    const m = new HealthMonitor({ clock, env: {} });
    const { check, pending } = manual();
    m.register({ name: 'gemini', kind: 'provider', check, timeoutMs: 2000 });
    const run = m.run('gemini');
    clock.advance(1999);
    expect(pending[0]!.signal.aborted).toBe(false);
    clock.advance(1);
    expect(await run).toEqual({
      timestamp: T0,
      ok: false,
      responseTimeMs: 2000,
      error: 'timeout after 2000 ms',
    });
    expect(pending[0]!.signal.aborted).toBe(true);
    expect((pending[0]!.signal.reason as DOMException).name).toBe('TimeoutError');
    pending[0]!.resolve();
    await Promise.resolve();
    expect(m.history('gemini')).toHaveLength(1);
    expect(m.status('gemini')).toMatchObject({ state: 'unhealthy', healthy: false });
  });

  it('turns rejections, throws and { ok: false } into failures, and keeps details', async () => {
    const m = new HealthMonitor({ clock: new ManualClock(T0), env: {} });
    m.register({
      name: 'a',
      check: () => Promise.reject(new Error('fetch failed', { cause: new Error('ECONNREFUSED') })),
    });
    m.register({ name: 'b', check: () => ({ ok: false, error: 'quota exhausted' }) });
    m.register({
      name: 'c',
      check: () => ({ details: { models_available: ['gpt-4o'], rate_limit_remaining: 4850 } }),
    });
    m.register({ name: 'd', check: () => Promise.reject('plain string') });
    await m.runAll();
    expect(m.status('a')!.error).toBe('fetch failed: ECONNREFUSED');
    expect(m.status('b')!.error).toBe('quota exhausted');
    expect(m.status('c')).toMatchObject({
      state: 'healthy',
      details: { models_available: ['gpt-4o'], rate_limit_remaining: 4850 },
    });
    expect(m.status('d')!.error).toBe('plain string');
  });

  it('runs every check at start and then on its interval, one run at a time, until stopped', async () => {
    const clock = new ManualClock(T0);
    const m = new HealthMonitor({ clock, env: {} });
    const fast = toggle();
    const slow = manual();
    m.register({ name: 'fast', check: fast.check, intervalMs: 10_000 });
    m.register({ name: 'slow', check: slow.check, intervalMs: 10_000, timeoutMs: 60_000 });
    m.start();
    expect(fast.state.runs).toBe(1);
    clock.advance(30_000);
    expect(fast.state.runs).toBe(4);
    // The slow check's first run is still in flight: the three timer ticks joined it.
    expect(slow.pending).toHaveLength(1);
    slow.pending[0]!.resolve();
    await Promise.resolve();
    clock.advance(10_000);
    expect(slow.pending).toHaveLength(2);
    m.stop();
    clock.advance(60_000);
    expect(fast.state.runs).toBe(5);
    // A check added while running starts at once; after stop, start resumes every check.
    m.start();
    m.register({ name: 'late', check: () => true, intervalMs: 10_000 });
    expect(m.status('late')!.state).toBe('healthy');
    m.stop();
  });

  it('keeps a bounded history, oldest first', async () => {
    const clock = new ManualClock(T0);
    const m = new HealthMonitor({ clock, env: {}, historySize: 3 });
    m.register({ name: 'x', check: () => true });
    for (let i = 0; i < 5; i++) {
      await m.run('x');
      clock.advance(1000);
    }
    expect(m.history('x').map((r) => r.timestamp)).toEqual([T0 + 2000, T0 + 3000, T0 + 4000]);
    expect(m.history('nope')).toEqual([]);
  });

  it('computes uptime over 24 h from minutes and over 30 days from hours', () => {
    const clock = new ManualClock(T0);
    const m = new HealthMonitor({ clock, env: {}, errorRate: 1 });
    const t = toggle();
    m.register({ name: 'api', check: t.check, intervalMs: MINUTE, timeoutMs: 1000 });
    m.start();
    // Day 1: down for 6 hours. Then 29 days up, checked every minute.
    clock.advance(6 * HOUR - 1);
    t.state.up = false;
    clock.advance(6 * HOUR);
    t.state.up = true;
    clock.advance(12 * HOUR);
    expect(m.status('api')!.uptime24h).toBeCloseTo(18 / 24, 3);
    expect(m.status('api')!.errorRate24h).toBeCloseTo(6 / 24, 3);
    clock.advance(28 * 24 * HOUR);
    const s = m.status('api')!;
    expect(s.uptime24h).toBe(1);
    expect(s.uptime30d).toBeCloseTo(1 - 6 / (29 * 24), 3);
    // Past 30 days, the outage leaves the window.
    clock.advance(2 * 24 * HOUR);
    expect(m.status('api')!.uptime30d).toBe(1);
    m.stop();
  });

  it('exports up, uptime ratio and response time per provider and dependency, and removes them', async () => {
    const clock = new ManualClock(T0);
    const registry = new Registry({ clock });
    const m = new HealthMonitor({ registry, env: {}, prefix: 'orchestrator' });
    m.register({ name: 'openai', kind: 'provider', check: () => true });
    m.register({ name: 'postgres', check: () => false });
    await m.runAll();
    const values = () =>
      Object.fromEntries(
        registry
          .snapshotSync()
          .metrics.filter((x) => x.type === 'gauge')
          .map((x) => [x.name, x.points.map((p) => [p.labels, 'value' in p ? p.value : undefined])]),
      );
    expect(values()).toEqual({
      orchestrator_provider_up: [[{ provider: 'openai' }, 1]],
      orchestrator_provider_uptime_ratio: [
        [{ provider: 'openai', window: '1d' }, 1],
        [{ provider: 'openai', window: '30d' }, 1],
      ],
      orchestrator_provider_response_time_seconds: [[{ provider: 'openai' }, 0]],
      orchestrator_dependency_up: [[{ dependency: 'postgres' }, 0]],
      orchestrator_dependency_uptime_ratio: [
        [{ dependency: 'postgres', window: '1d' }, 0],
        [{ dependency: 'postgres', window: '30d' }, 0],
      ],
      orchestrator_dependency_response_time_seconds: [[{ dependency: 'postgres' }, 0]],
    });
    expect(m.remove('openai')).toBe(true);
    expect(m.remove('openai')).toBe(false);
    expect(values().orchestrator_provider_up).toEqual([]);
    expect(values().orchestrator_provider_uptime_ratio).toEqual([]);
    expect(m.status('openai')).toBeUndefined();
  });

  it('rejects bad options with the option, the value and what was expected', () => {
    const m = new HealthMonitor({ env: {} });
    m.register({ name: 'a', check: () => true });
    const bad: Array<[() => unknown, RegExp]> = [
      [
        () => m.register({ name: 'a', check: () => true }),
        /check name: got "a", expected a name not registered/,
      ],
      [() => m.register({ name: '', check: () => true }), /check name: got "", expected a non-empty string/],
      [() => m.register({ name: 'b', check: 1 as never }), /b: check: got 1, expected a function/],
      [() => m.register({ name: 'b', check: () => true, intervalMs: 0 }), /b: intervalMs: got 0/],
      [() => m.register({ name: 'b', check: () => true, kind: 'db' as never }), /b: kind: got "db"/],
      [() => m.register({ name: 'b', check: () => true, kind: 'provider', apiKeyEnv: '' }), /b: apiKeyEnv/],
      [() => new HealthMonitor({ errorRate: 2 }), /errorRate: got 2, expected a ratio from 0 to 1/],
      [() => new HealthMonitor({ historySize: 0 }), /historySize: got 0/],
      [() => new HealthMonitor({ prefix: 'my-app' }), /prefix/],
    ];
    for (const [fn, message] of bad) {
      expect(fn).toThrow(VigilError);
      expect(fn).toThrow(message);
    }
    return expect(m.run('missing')).rejects.toThrow(/check name: got "missing", expected a registered check/);
  });
});
