import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../packages/metrics/src/base/clock.js';
import type { Counter } from '../../packages/metrics/src/core/counter.js';
import { Registry } from '../../packages/metrics/src/core/registry.js';
import {
  type ParsedSample,
  parsePrometheusText,
} from '../../packages/metrics/src/expo/parse-prometheus-text.js';
import { toPrometheusText } from '../../packages/metrics/src/expo/prometheus-text.js';
import { SUCCESS } from '../../packages/metrics/src/push/export-result.js';
import { Pushgateway } from '../../packages/metrics/src/push/pushgateway.js';
import { freePort } from '../support/free-port.js';
import { answers, type PeerProcess, startPeer } from './peer-process.js';

/**
 * vigil's Pushgateway reporter against Debian's prometheus-pushgateway 1.5 (scripts/install-peers.sh):
 * what is pushed is read back from the gateway's own /metrics and /api/v1/metrics, value for value.
 */
const work = mkdtempSync(join(tmpdir(), 'vigil-pushgateway-'));
let peer: PeerProcess;
let url: string;

beforeAll(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  peer = await startPeer(
    'prometheus-pushgateway',
    [`--web.listen-address=127.0.0.1:${port}`, `--persistence.file=${join(work, 'pushgateway.data')}`],
    () => answers(`${url}/-/ready`),
  );
});

afterAll(async () => {
  await peer?.stop();
  rmSync(work, { recursive: true, force: true });
});

const GROUP = { instance: 'web-1', path: '/var/tmp', empty: '' };
const GROUP_LABELS = ['job', ...Object.keys(GROUP)];

function sampleRegistry(): Registry {
  const registry = new Registry({ clock: new ManualClock(1_705_075_200_000) });
  const requests = registry.counter({
    name: 'callbot_requests_total',
    help: 'Requests, with "awkward" \\ help\nand a second line.',
    labelNames: ['operation', 'note'],
  });
  requests.inc({ operation: 'stt', note: 'quote " backslash \\ newline \n end' }, 13);
  requests.inc({ operation: 'tts', note: 'café ✓ 中文' }, 26);
  registry.gauge({ name: 'callbot_active_calls', help: 'Calls in progress.' }).set(7.25);
  const latency = registry.histogram({
    name: 'callbot_operation_duration_seconds',
    help: 'Latency of operations.',
    labelNames: ['operation'],
    buckets: [0.1, 0.5, 1, 5],
  });
  for (const seconds of [0.05, 0.2, 0.7, 1.5, 3, 6]) latency.observe({ operation: 'stt' }, seconds);
  return registry;
}

/** The samples of the group on the gateway's /metrics, grouping labels taken off. */
async function groupSamples(job: string): Promise<ParsedSample[]> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return parsePrometheusText(text)
    .flatMap((family) => family.samples)
    .filter((s) => s.labels.job === job && !s.name.startsWith('push_'))
    .map((s) => ({
      name: s.name,
      value: s.value,
      labels: Object.fromEntries(Object.entries(s.labels).filter(([k]) => !GROUP_LABELS.includes(k))),
    }));
}

function sentSamples(text: string): ParsedSample[] {
  return parsePrometheusText(text).flatMap((family) => family.samples);
}

const byKey = (samples: ParsedSample[]) =>
  Object.fromEntries(
    samples.map((s) => [`${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`, s.value]),
  );

describe('Pushgateway reporter against prometheus-pushgateway', () => {
  it('pushes (PUT) every sample, read back with the same labels and values', async () => {
    const registry = sampleRegistry();
    const gateway = new Pushgateway({ url, registry, job: 'vigil-interop', groupings: GROUP });
    const sent = toPrometheusText(await registry.snapshot());
    expect(await gateway.push()).toEqual(SUCCESS);
    const read = await groupSamples('vigil-interop');
    expect(byKey(read)).toEqual(byKey(sentSamples(sent)));
    expect(read.find((s) => s.labels.note?.startsWith('quote'))?.labels.note).toBe(
      'quote " backslash \\ newline \n end',
    );
    expect(read).toContainEqual({
      name: 'callbot_operation_duration_seconds_bucket',
      labels: { operation: 'stt', le: '1' },
      value: 3,
    });
    await gateway.close();
  });

  it('decodes the base64 grouping values: the group is {path="/var/tmp", empty=""}', async () => {
    const body = (await (await fetch(`${url}/api/v1/metrics`)).json()) as {
      data: Array<{ labels: Record<string, string>; last_push_successful: boolean }>;
    };
    const group = body.data.find((g) => g.labels.job === 'vigil-interop');
    expect(group).toEqual(
      expect.objectContaining({
        labels: { job: 'vigil-interop', instance: 'web-1', path: '/var/tmp', empty: '' },
        last_push_successful: true,
      }),
    );
  });

  it('pushAdd (POST) replaces only the metrics it names; push (PUT) replaces the group', async () => {
    const job = 'vigil-interop-add';
    const first = sampleRegistry();
    await new Pushgateway({ url, registry: first, job }).push();
    const second = new Registry();
    second.gauge({ name: 'callbot_active_calls', help: 'Calls in progress.' }).set(3);
    const gateway = new Pushgateway({ url, registry: second, job });
    expect(await gateway.pushAdd()).toEqual(SUCCESS);
    let read = await groupSamples(job);
    expect(read.find((s) => s.name === 'callbot_active_calls')?.value).toBe(3);
    expect(
      read
        .filter((s) => s.name === 'callbot_requests_total')
        .map((s) => s.value)
        .sort(),
    ).toEqual([13, 26]);
    expect(await gateway.push()).toEqual(SUCCESS);
    read = await groupSamples(job);
    expect(read.map((s) => s.name)).toEqual(['callbot_active_calls']);
  });

  it('deletes the group', async () => {
    const gateway = new Pushgateway({
      url,
      registry: sampleRegistry(),
      job: 'vigil-interop',
      groupings: GROUP,
    });
    expect(await gateway.delete()).toEqual(SUCCESS);
    expect(await groupSamples('vigil-interop')).toEqual([]);
  });

  it('counts a push the gateway rejects (a type clash with another group) and does not retry it', async () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const counters = new Registry();
    counters.counter({ name: 'clash_total', help: 'x' }).inc();
    expect(await new Pushgateway({ url, registry: counters, job: 'clash-a' }).push()).toEqual(SUCCESS);
    const gauges = new Registry();
    gauges.gauge({ name: 'clash_total', help: 'x' }).set(1);
    const result = await new Pushgateway({
      url,
      registry: gauges,
      job: 'clash-b',
      retry: { maxAttempts: 3 },
    }).push();
    expect(result).toMatchObject({ code: 'failure', reason: 'http_4xx' });
    expect(result.code !== 'success' && result.message).toContain(
      '400 pushed metrics are invalid or inconsistent',
    );
    const failures = gauges.getMetric('vigil_push_failures_total') as Counter;
    expect(failures.get({ reporter: 'pushgateway', reason: 'http_4xx' })).toBe(1);
    const dropped = gauges.getMetric('vigil_push_dropped_total') as Counter;
    expect(dropped.get({ reporter: 'pushgateway', reason: 'http_4xx' })).toBe(1);
    vi.restoreAllMocks();
  });
});
