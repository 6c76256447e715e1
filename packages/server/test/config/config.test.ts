import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveFlags } from '../../src/cli/serve-flags.js';
import { loadConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/config/config-error.js';
import { parseDuration } from '../../src/config/duration.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-config-'));
function yamlFile(text: string): string {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return file;
}
function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs on defaults with no file, no environment and no flags', () => {
    const c = loadConfig({}, {});
    expect(c.listen).toEqual({ host: '127.0.0.1', port: 8000 });
    expect(c.data).toBe('./data');
    expect(c.statsd).toEqual({ host: '127.0.0.1', port: 8125 });
    expect(c.store).toMatchObject({ flushIntervalMs: 1000, retentionDays: 30 });
  });

  it('layers file < environment < flags, with the seeds variable names', () => {
    const file = yamlFile(
      'listen: 0.0.0.0:9000\nstore:\n  retentionDays: 7\nscrape:\n  interval: 30s\n  targets: [http://a:1/metrics]\n',
    );
    const c = loadConfig(
      { config: file, listen: '127.0.0.1:8100', statsd: 'off' },
      { METRICS_RETENTION_DAYS: '14', DASHBOARD_REFRESH_INTERVAL: '5', VIGIL_DATA: '/tmp/v' },
    );
    expect(c.listen.port).toBe(8100);
    expect(c.statsd).toBeUndefined();
    expect(c.store.retentionDays).toBe(14);
    expect(c.data).toBe('/tmp/v');
    expect(c.dashboard.refreshIntervalMs).toBe(5000);
    expect(c.scrape.targets).toEqual([
      { url: 'http://a:1/metrics', job: 'a:1', intervalMs: 30_000, timeoutMs: 10_000, honorTimestamps: true },
    ]);
  });

  it('refuses a non-loopback address without a token, unless told to allow it', () => {
    expect(failure(() => loadConfig({ listen: '0.0.0.0:9000' }, {}))).toMatch(
      /^listen: 0\.0\.0\.0:9000 is reachable from other machines and neither auth\.token \(VIGIL_TOKEN\) nor basic_auth_users \(--web\.config\.file\) is set/,
    );
    expect(
      loadConfig({ listen: '0.0.0.0:9000' }, { VIGIL_TOKEN: 'a-token-of-16-chars-or-more' }).listen.host,
    ).toBe('0.0.0.0');
    expect(
      loadConfig({ listen: '0.0.0.0:9000', allowUnauthenticated: true }, {}).auth.allowUnauthenticated,
    ).toBe(true);
    expect(loadConfig({ listen: '127.0.0.2:9000' }, {}).listen.host).toBe('127.0.0.2');
    expect(loadConfig({ listen: 'localhost:9000' }, {}).listen.host).toBe('localhost');
  });

  it('names the source, the key, the value and what was expected', () => {
    expect(failure(() => loadConfig({ listen: 'nowhere' }, {}))).toBe(
      'command line: listen: got "nowhere", expected HOST:PORT such as 127.0.0.1:8000',
    );
    expect(failure(() => loadConfig({}, { METRICS_RETENTION_DAYS: 'forever' }))).toMatch(
      /^environment variable METRICS_RETENTION_DAYS: store.retentionDays: got "forever", expected number/,
    );
    const file = yamlFile('scrape:\n  interval: often\n');
    expect(failure(() => loadConfig({ config: file }, {}))).toBe(
      `${file}: scrape.interval: got "often", expected a duration such as 15s, 1m or 500ms`,
    );
    expect(failure(() => loadConfig({ config: yamlFile('listne: 1.2.3.4:5\n') }, {}))).toMatch(
      /unknown key "listne"/,
    );
    expect(failure(() => loadConfig({ config: yamlFile('a: [1\n') }, {}))).toMatch(
      /:\d+:\d+: not valid YAML/,
    );
    expect(failure(() => loadConfig({ config: join(dir, 'missing.yaml') }, {}))).toMatch(
      /cannot read the configuration file/,
    );
  });

  it('reads statsdCounterMode (prometheus by default) from vigil.yaml and VIGIL_STATSD_COUNTER_MODE', () => {
    expect(loadConfig({}, {}).statsdCounterMode).toBe('prometheus');
    const file = yamlFile('statsdCounterMode: etsy\n');
    expect(loadConfig({ config: file }, {}).statsdCounterMode).toBe('etsy');
    expect(loadConfig({ config: file }, { VIGIL_STATSD_COUNTER_MODE: 'prometheus' }).statsdCounterMode).toBe(
      'prometheus',
    );
    expect(failure(() => loadConfig({}, { VIGIL_STATSD_COUNTER_MODE: 'graphite' }))).toMatch(
      /^environment variable VIGIL_STATSD_COUNTER_MODE: statsdCounterMode: got "graphite", Invalid option: expected one of "prometheus"\|"etsy"$/,
    );
  });
});

describe('parseDuration', () => {
  it('reads a report schedule as cron or shorthand, and names the field of a bad one', () => {
    const ok = loadConfig(
      {
        config: yamlFile(
          'reports:\n  - { name: a, schedule: "*/30 8-18 * * mon-fri", timezone: Europe/Paris, receivers: [x] }\n  - { name: b, schedule: weekly monday 09:00, receivers: [x] }\n',
        ),
      },
      {},
    );
    expect(ok.reports.map((r) => [r.schedule.text, r.timezone])).toEqual([
      ['*/30 8-18 * * mon-fri', 'Europe/Paris'],
      ['weekly monday 09:00', 'UTC'],
    ]);
    const file = yamlFile('reports:\n  - { name: a, schedule: "0 25 * * *", receivers: [x] }\n');
    expect(failure(() => loadConfig({ config: file }, {}))).toContain(
      'yaml: reports.0.schedule: got "0 25 * * *", hour "25": 25 is outside 0-23',
    );
    const zone = yamlFile(
      'reports:\n  - { name: a, schedule: daily 08:00, timezone: Mars/Olympus, receivers: [x] }\n',
    );
    expect(failure(() => loadConfig({ config: zone }, {}))).toContain(
      'yaml: reports.0.timezone: got "Mars/Olympus", expected an IANA time zone such as Europe/Paris',
    );
  });

  it('reads Prometheus durations and bare seconds', () => {
    expect(parseDuration('15s')).toBe(15_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30')).toBe(30_000);
    expect(parseDuration('1x')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
  });
});

describe('query limits', () => {
  it('reads query.* from vigil.yaml and VIGIL_QUERY_MAX_CONCURRENCY, leaving the rest to the engine', () => {
    expect(loadConfig({}, {}).query).toEqual({
      maxConcurrency: undefined,
      maxSamples: undefined,
      maxQueryBytes: undefined,
      timeoutMs: undefined,
      experimentalFunctions: false,
      durationExpressions: false,
    });
    const file = yamlFile(
      'query: {maxConcurrency: 4, maxSamples: 1000000, maxQueryBytes: 268435456, timeout: 30s, experimentalFunctions: true, durationExpressions: true}\n',
    );
    expect(loadConfig({ config: file }, { VIGIL_QUERY_MAX_CONCURRENCY: '8' }).query).toEqual({
      maxConcurrency: 8,
      maxSamples: 1_000_000,
      maxQueryBytes: 268_435_456,
      timeoutMs: 30_000,
      experimentalFunctions: true,
      durationExpressions: true,
    });
    expect(failure(() => loadConfig({}, { VIGIL_QUERY_MAX_CONCURRENCY: '0' }))).toMatch(
      /VIGIL_QUERY_MAX_CONCURRENCY.*query\.maxConcurrency/,
    );
  });
});

describe('rule configuration', () => {
  it('resolves rule_files against the directory of vigil.yaml, and reads VIGIL_RULE_FILES, the interval and the resend delay', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-config-rules-'));
    try {
      writeFileSync(
        join(dir, 'vigil.yaml'),
        'rule_files: [rules/*.yml, /etc/x.yml]\nevaluation_interval: 30s\nalert_resend_delay: 2m\n',
      );
      const fromFile = loadConfig({ config: join(dir, 'vigil.yaml') }, {});
      expect(fromFile.rules).toEqual({
        files: [join(dir, 'rules/*.yml'), '/etc/x.yml'],
        evaluationIntervalMs: 30_000,
        resendDelayMs: 120_000,
      });
      const fromEnv = loadConfig(
        {},
        {
          VIGIL_RULE_FILES: '/a.yml,/b.yml',
          VIGIL_EVALUATION_INTERVAL: '2m',
          VIGIL_ALERT_RESEND_DELAY: '30s',
        },
      );
      expect(fromEnv.rules).toEqual({
        files: ['/a.yml', '/b.yml'],
        evaluationIntervalMs: 120_000,
        resendDelayMs: 30_000,
      });
      expect(loadConfig({}, {}).rules).toEqual({
        files: [],
        evaluationIntervalMs: 60_000,
        resendDelayMs: 60_000,
      });
      expect(loadConfig(serveFlags({ 'rules.alert.resend-delay': '5s' }), {}).rules.resendDelayMs).toBe(
        5_000,
      );
      expect(() => loadConfig({}, { VIGIL_ALERT_RESEND_DELAY: '0s' })).toThrow(
        'environment variable VIGIL_ALERT_RESEND_DELAY: alert_resend_delay: got "0s", expected a positive duration such as 1m',
      );
      expect(() => loadConfig({}, { VIGIL_EVALUATION_INTERVAL: 'often' })).toThrow(
        'environment variable VIGIL_EVALUATION_INTERVAL: evaluation_interval: got "often", expected a duration such as 15s, 1m or 500ms',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
