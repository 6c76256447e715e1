import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/base/clock.js';
import type { CheckFn } from '../../src/health/health-check.js';
import { formatUptime, toHealthDocument } from '../../src/health/health-document.js';
import { HealthMonitor } from '../../src/health/health-monitor.js';
import type { SystemUsageSample } from '../../src/health/system-usage.js';

const NOON = Date.UTC(2024, 0, 1, 12, 0, 0);

/** The seed's three providers: openai up, anthropic up, gemini timing out since 10:30:12. */
async function seedMonitor() {
  const clock = new ManualClock(Date.UTC(2024, 0, 1, 10, 30, 12));
  const env = {
    OPENAI_API_KEY: 'sk-proj-Q7vZ2mXkW9cRt4LbN8yHdJ3sEf6Ga1UoP5iTqKw0',
    GEMINI_API_KEY: 'AIzaSyD4kR9vLm2Xq7Wn3Bt8Hc1Jf6Gp5Zs0Ey',
  };
  const m = new HealthMonitor({ clock, env });
  let geminiUp = true;
  const hang: CheckFn = () => (geminiUp ? true : new Promise(() => {}));
  m.register({
    name: 'openai',
    kind: 'provider',
    check: () => ({ details: { models_available: ['gpt-4o'], rate_limit_remaining: 4850 } }),
  });
  m.register({ name: 'anthropic', kind: 'provider', check: () => true });
  m.register({ name: 'gemini', kind: 'provider', check: hang, timeoutMs: 10_000 });
  m.register({ name: 'postgres', check: () => true });
  await m.runAll();
  geminiUp = false;
  clock.advance(NOON - 10_000 - clock.now());
  const late = m.run('gemini');
  clock.advance(10_000);
  await late;
  return { m, clock };
}

describe('toHealthDocument', () => {
  it("has the seed's /api/health shape", async () => {
    const { m, clock } = await seedMonitor();
    const system: SystemUsageSample = {
      cpuRatio: 0.2351,
      memoryTotalBytes: 1000,
      memoryAvailableBytes: 328,
      memoryRatio: 0.672,
      load: [0.5, 0.4, 0.3],
      disk: { path: '/', totalBytes: 100, freeBytes: 54, ratio: 0.458 },
    };
    const doc = toHealthDocument(m.statuses(), {
      now: clock.now(),
      version: '1.0.0',
      startTime: NOON - (((5 * 24 + 12) * 60 + 34) * 60 + 22) * 1000,
      system,
      extra: { active_sessions: 142, requests_per_minute: 87 },
    });
    expect(doc).toEqual({
      status: 'unhealthy',
      timestamp: '2024-01-01T12:00:00.000Z',
      version: '1.0.0',
      uptime: '5d 12h 34m 22s',
      uptime_seconds: 477_262,
      providers_status: {
        openai: {
          models_available: ['gpt-4o'],
          rate_limit_remaining: 4850,
          healthy: true,
          status: 'healthy',
          last_check: '2024-01-01T10:30:12.000Z',
          response_time: 0,
          api_key_configured: true,
          api_key_valid_format: true,
          last_success: '2024-01-01T10:30:12.000Z',
          error_rate_24h: 0,
          uptime_24h: 1,
          uptime_30d: 1,
        },
        anthropic: expect.objectContaining({
          healthy: true,
          api_key_configured: false,
          api_key_valid_format: false,
        }),
        gemini: {
          healthy: false,
          status: 'unhealthy',
          last_check: '2024-01-01T11:59:50.000Z',
          response_time: null,
          api_key_configured: true,
          api_key_valid_format: true,
          error: 'timeout after 10000 ms',
          last_success: '2024-01-01T10:30:12.000Z',
          error_rate_24h: 0.5,
          uptime_24h: 0.5,
          uptime_30d: 0.5,
        },
      },
      dependencies_status: {
        postgres: expect.not.objectContaining({ api_key_configured: expect.anything() }),
      },
      system_metrics: {
        cpu_usage: 23.5,
        memory_usage: 67.2,
        disk_usage: 45.8,
        active_sessions: 142,
        requests_per_minute: 87,
      },
    });
  });

  it('leaves system figures out when none are given, and defaults the version', () => {
    const doc = toHealthDocument([], { now: NOON, startTime: NOON });
    expect(doc).toMatchObject({ status: 'healthy', version: 'unknown', uptime: '0s', system_metrics: {} });
  });
});

describe('HealthMonitor.report', () => {
  it("is the seed's generate_health_report, with alerts for what is wrong", async () => {
    const { m } = await seedMonitor();
    const report = m.report();
    expect(report.overall_status).toBe('unhealthy');
    expect(report.timestamp).toBe('2024-01-01T12:00:00.000Z');
    expect(report.summary).toEqual({
      total_providers: 3,
      healthy_providers: 2,
      degraded_providers: 0,
      unhealthy_providers: 1,
      unknown_providers: 0,
      total_dependencies: 1,
      healthy_dependencies: 1,
      degraded_dependencies: 0,
      unhealthy_dependencies: 0,
      unknown_dependencies: 0,
    });
    expect(report.providers.gemini).toEqual({
      name: 'gemini',
      timestamp: '2024-01-01T11:59:50.000Z',
      status: 'unhealthy',
      healthy: false,
      response_time: 10,
      error: 'timeout after 10000 ms',
      api_key_status: { configured: true, valid_format: true },
      error_rate: 0.5,
      uptime_24h: 0.5,
      uptime_30d: 0.5,
    });
    expect(report.providers.openai!.details).toEqual({
      models_available: ['gpt-4o'],
      rate_limit_remaining: 4850,
    });
    expect(report.dependencies.postgres).not.toHaveProperty('api_key_status');
    expect(report.alerts).toEqual([
      { check: 'gemini', kind: 'provider', severity: 'critical', message: 'gemini: timeout after 10000 ms' },
    ]);
  });
});

describe('formatUptime', () => {
  it('writes days, hours, minutes and seconds, without leading zero units', () => {
    expect(formatUptime(0)).toBe('0s');
    expect(formatUptime(59.9)).toBe('59s');
    expect(formatUptime(3600)).toBe('1h 0m 0s');
    expect(formatUptime(5 * 86_400 + 3)).toBe('5d 0h 0m 3s');
  });
});
