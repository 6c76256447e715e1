import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ManualClock,
  parsePrometheusText,
  Registry,
  type RegistrySnapshot,
  toOpenMetrics,
  toPrometheusText,
  VigilError,
} from '@vigil/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * promtool (Prometheus 2.42, from scripts/install-peers.sh) is the strict oracle for /metrics
 * output: it parses with Go's expfmt and then lints. Exit 0 = clean, 1 = parse error, 3 = lints.
 * promtool reads stdin: `promtool check metrics < file` (shared/peers README §4).
 */
const root = join(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'vigil-promtool-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function promtool(name: string, text: string): { status: number | null; output: string; file: string } {
  const file = join(work, name);
  writeFileSync(file, text);
  const stdin = openSync(file, 'r');
  try {
    const run = spawnSync('promtool', ['check', 'metrics'], {
      stdio: [stdin, 'pipe', 'pipe'],
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (run.error) {
      throw new Error(
        `promtool did not run (${run.error.message}); install it with scripts/install-peers.sh`,
      );
    }
    return { status: run.status, output: `${run.stdout}${run.stderr}`.trim(), file };
  } finally {
    closeSync(stdin);
  }
}

/** Awkward label values and numbers, through the real Registry. */
async function registrySnapshot(help: string): Promise<RegistrySnapshot> {
  const registry = new Registry({ clock: new ManualClock(1_705_075_200_000) });
  const requests = registry.counter({ name: 'app_requests_total', help, labelNames: ['method', 'path'] });
  requests.inc({ method: 'GET', path: '/a"b\\c\nd' }, 3);
  requests.inc({ method: 'POST', path: 'emoji 🚀 ünïcödé 中文 café ✓' });
  requests.inc({ method: 'PUT', path: 'lone \uD800 surrogate' }, 0.5);
  requests.inc({ method: 'DELETE', path: '' }, 7);
  registry.counter({ name: 'app_jobs_total', help: 'Jobs run; none yet.', labelNames: ['queue'] });
  const temperature = registry.gauge({
    name: 'app_temperature_celsius',
    help: 'Extreme values.',
    unit: 'celsius',
    labelNames: ['sensor'],
  });
  // The registry drops NaN and infinities when recorded; nasty.prom below carries them to promtool.
  temperature.set({ sensor: 'tiny' }, 1e-7);
  temperature.set({ sensor: 'negative' }, -273.15);
  temperature.set({ sensor: 'huge' }, 1e21);
  const duration = registry.histogram({
    name: 'app_request_duration_seconds',
    help: 'Request latency.',
    unit: 'seconds',
    labelNames: ['route'],
    buckets: [0.005, 0.01, 0.1, 1, 10, 100000, 1e6],
    window: 60,
  });
  for (const seconds of [0.001, 0.004, 0.02, 0.3, 0.3, 2.5, 12]) duration.observe({ route: '/x' }, seconds);
  duration.labels({ route: '/empty' });
  const scope = registry.scope('swift-neural-42');
  scope.counter({ name: 'app_packets_sent_total', help: 'Packets sent per session.' }).inc(15230);
  return registry.snapshot();
}

describe('promtool check metrics', () => {
  beforeAll(() => {
    const version = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
    if (version.error || version.status !== 0) {
      throw new Error('promtool is not installed: run scripts/install-peers.sh (npm run test:interop does)');
    }
  });

  it('accepts the Prometheus text format of a real registry, lint included (exit 0)', async () => {
    const text = toPrometheusText(
      await registrySnapshot('Requests by "method" and path \\ with\na second line.'),
    );
    const result = promtool('registry.prom', text);
    expect(result, result.file).toEqual({ status: 0, output: '', file: result.file });
    expect(text).toContain('# TYPE app_jobs_total counter\n');
    expect(() => parsePrometheusText(text)).not.toThrow();
  });

  it('accepts the OpenMetrics output, allowing only the lint that comes from reading it as 0.0.4', async () => {
    // promtool 2.42 has no OpenMetrics parser. Read as 0.0.4 text, a counter family `x` (TYPE x
    // counter) has no samples and its `x_total` samples form a separate untyped family without
    // HELP, so promtool lints "x_total no help text" (exit 3) for each counter with samples, and
    // nothing else. It also rejects `\"` in HELP, which OpenMetrics requires, so this HELP has none.
    const text = toOpenMetrics(await registrySnapshot('Requests by method and path \\ with\na second line.'));
    const counters = [...text.matchAll(/^# TYPE (\S+) counter$/gm)].map((m) => m[1]);
    const withSamples = counters.filter((name) => text.includes(`\n${name}_total`));
    const expected = withSamples.map((name) => `${name}_total no help text`).sort();
    const result = promtool('registry.om.txt', text);
    expect(result.status, `${result.file}\n${result.output}`).toBe(expected.length === 0 ? 0 : 3);
    expect(result.output.split('\n').filter(Boolean).sort()).toEqual(expected);
    expect(() => parsePrometheusText(text, { openMetrics: true })).not.toThrow();
  });

  it('parses the golden exposition of the unit tests; its only lints are the seed names kept on purpose', () => {
    const text = readFileSync(join(root, 'packages/metrics/test/expo/golden/nasty.prom'), 'utf8');
    const result = promtool('nasty.prom', text);
    expect(result.status, result.output).toBe(3);
    expect(result.output.split('\n').sort()).toEqual([
      'dropped_packets counter metrics should have "_total" suffix',
      'memory_usage_mb metric names should not contain abbreviated units',
      'network_latency_ms metric names should not contain abbreviated units',
      'packets_sent counter metrics should have "_total" suffix',
      'queue_depth no help text',
    ]);
  });
});

describe('parsePrometheusText agrees with promtool on what is a parse error', () => {
  const dir = join(root, 'packages/metrics/test/expo/fixtures/bad-expositions');
  // Invalid UTF-8 cannot reach a string parser: the caller's decoder rejects it (see the unit tests).
  const files = readdirSync(dir).filter((name) => name.endsWith('.prom') && !name.startsWith('27-'));

  it.each(files)('%s', (name) => {
    const text = readFileSync(join(dir, name), 'utf8');
    const result = promtool(name, text);
    const line = /text format parsing error in line (\d+)/.exec(result.output)?.[1];
    let ours: VigilError | undefined;
    try {
      parsePrometheusText(text);
    } catch (error) {
      ours = error as VigilError;
    }
    if (result.status === 1) {
      expect(ours, `promtool: ${result.output}`).toBeInstanceOf(VigilError);
      expect(ours?.message).toMatch(new RegExp(`^line ${line}: `));
    } else {
      expect(ours, `promtool accepted it (exit ${result.status}): ${ours?.message}`).toBeUndefined();
    }
  });
});
