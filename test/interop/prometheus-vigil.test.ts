import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type RunningServer, serve } from '@vigil/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/until.js';
import type { PeerProcess } from './peer-process.js';
import { startPrometheus } from './prometheus-peer.js';

/**
 * Debian's Prometheus 2.42 beside vigil, both ways at once: it scrapes vigil's /metrics and
 * remote-writes everything it stores into vigil. What vigil then holds must equal what Prometheus
 * answers for the same series.
 */
const work = mkdtempSync(join(tmpdir(), 'vigil-prom-'));
let vigil: RunningServer;
let prometheus: PeerProcess;
let promUrl: string;

beforeAll(async () => {
  vigil = await serve(loadConfig({ listen: '127.0.0.1:0', data: join(work, 'vigil'), statsd: 'off' }, {}));
  const vigilAddress = vigil.url.replace('http://', '');
  ({ prometheus, url: promUrl } = await startPrometheus(
    work,
    `global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: vigil
    static_configs:
      - targets: ['${vigilAddress}']
remote_write:
  - url: ${vigil.url}/api/v1/write
    queue_config:
      batch_send_deadline: 1s
      min_backoff: 100ms
      max_backoff: 1s
    metadata_config:
      send_interval: 1s
`,
  ));
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await vigil?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('Prometheus 2.42 and vigil', () => {
  it('Prometheus scrapes vigil and finds the target up', async () => {
    const health = await until(
      'the vigil target to be scraped',
      async () => {
        const body = (await (await fetch(`${promUrl}/api/v1/targets`)).json()) as {
          data: { activeTargets: { health: string; lastError: string }[] };
        };
        const target = body.data.activeTargets[0];
        return target && target.health !== 'unknown' ? target : undefined;
      },
      { context: () => prometheus.output().slice(-2000) },
    );
    expect(health).toMatchObject({ health: 'up', lastError: '' });
  });

  it('remote-writes into vigil what it scraped, with the same values', async () => {
    const stored = await until(
      'remote-written samples in vigil',
      async () => {
        const res = await fetch(
          `${vigil.url}/api/v1/read_raw?match[]=${encodeURIComponent('up{job="vigil"}')}&start=0`,
        );
        const body = (await res.json()) as {
          data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
        };
        const series = body.data.result[0];
        return series && series.values.length >= 2 ? series : undefined;
      },
      { context: () => prometheus.output().slice(-2000) },
    );
    expect(stored.metric).toMatchObject({ __name__: 'up', job: 'vigil' });
    expect(stored.values.every(([, v]) => v === '1')).toBe(true);

    // A sample Prometheus holds, at a time it reports, must be in vigil at that time with that value.
    const [t, v] = stored.values[stored.values.length - 1]!;
    const query = await fetch(
      `${promUrl}/api/v1/query?query=${encodeURIComponent('scrape_samples_scraped{job="vigil"}')}&time=${t}`,
    );
    const promValue = ((await query.json()) as { data: { result: { value: [number, string] }[] } }).data
      .result[0]!.value;
    const ours = (await (
      await fetch(
        `${vigil.url}/api/v1/read_raw?match[]=${encodeURIComponent('scrape_samples_scraped{job="vigil"}')}&start=${t}&end=${t}`,
      )
    ).json()) as { data: { result: { values: [number, string][] }[] } };
    expect(ours.data.result[0]!.values).toEqual([[t, promValue[1]]]);
    expect(v).toBe('1');
  });
  // Prometheus scrapes vigil in OpenMetrics, where a counter family is named without `_total`.
  it('keeps the TYPE and HELP that Prometheus remote-writes as metadata, for /api/v1/metadata', async () => {
    const entry = await until(
      'metadata of vigil_ingest_samples',
      async () => {
        const body = (await (
          await fetch(`${vigil.url}/api/v1/metadata?metric=vigil_ingest_samples`)
        ).json()) as {
          data: Record<string, { type: string; help: string; unit: string }[]>;
        };
        return body.data.vigil_ingest_samples?.[0];
      },
      { context: () => prometheus.output().slice(-2000) },
    );
    expect(entry).toEqual({ type: 'counter', help: 'Samples stored, by ingest source.', unit: '' });
  });
});
