import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type RunningServer, serve } from '@vigil/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';
import { until } from '../support/until.js';
import { answers, type PeerProcess, startPeer } from './peer-process.js';

/**
 * vigil's notification side against Debian's prometheus-alertmanager 0.25 (scripts/install-peers.sh):
 * vigil forwards an alert to the real Alertmanager (`alertmanager_configs`), whose webhook reaches a
 * local listener; vigil's own webhook posts to the same listener, and the two bodies are compared
 * byte for byte (both with the same externalURL), which checks key order, Go's escaping and time
 * format, the fingerprint and the group key.
 */
const work = mkdtempSync(join(tmpdir(), 'vigil-alertmanager-'));
let peer: PeerProcess;
let vigil: RunningServer;
let listener: Server;
let amUrl: string;
const bodies: Record<string, string[]> = { '/am': [], '/vigil': [] };

beforeAll(async () => {
  listener = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies[req.url ?? '']?.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const address = listener.address();
  const hook = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const amPort = await freePort();
  amUrl = `http://127.0.0.1:${amPort}`;
  const vigilPort = await freePort();
  const vigilUrl = `http://127.0.0.1:${vigilPort}`;
  mkdirSync(join(work, 'am'));
  writeFileSync(
    join(work, 'am', 'alertmanager.yml'),
    `route:
  receiver: webhook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: webhook
    webhook_configs:
      - url: ${hook}/am
`,
  );
  peer = await startPeer(
    'prometheus-alertmanager',
    [
      `--config.file=${join(work, 'am', 'alertmanager.yml')}`,
      `--storage.path=${join(work, 'am', 'data')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      // The default gossip listener is 0.0.0.0:9094; an empty address turns clustering off.
      '--cluster.listen-address=',
      // The same externalURL as vigil's, so the two webhook bodies can be compared byte for byte.
      `--web.external-url=${vigilUrl}`,
    ],
    () => answers(`http://127.0.0.1:${amPort}/-/ready`),
  );
  writeFileSync(
    join(work, 'vigil.yaml'),
    `notifications:
  route:
    receiver: webhook
    group_by: [alertname]
    group_wait: 1s
    group_interval: 1s
  receivers:
    - name: webhook
      webhook_configs:
        - url: ${hook}/vigil
      alertmanager_configs:
        - url: http://127.0.0.1:${amPort}
`,
  );
  vigil = await serve(
    loadConfig(
      {
        config: join(work, 'vigil.yaml'),
        listen: `127.0.0.1:${vigilPort}`,
        data: join(work, 'vigil'),
        statsd: 'off',
      },
      {},
    ),
  );
}, 60_000);

afterAll(async () => {
  await vigil?.close();
  await peer?.stop();
  await new Promise<void>((resolve) => (listener ? listener.close(() => resolve()) : resolve()));
  rmSync(work, { recursive: true, force: true });
});

describe('Alertmanager 0.25 interop', () => {
  it("forwards vigil's alerts to Alertmanager, whose webhook output matches vigil's own byte for byte", async () => {
    const alert = {
      labels: { alertname: 'InteropTest', job: 'api', instance: 'web-1:8080', severity: 'critical' },
      annotations: { summary: 'p95 latency <2.5 s> & rising', description: 'line one\nline "two"' },
      startsAt: '2026-01-02T03:04:05.678Z',
      generatorURL: 'http://127.0.0.1:8000/graph?g0.expr=up',
    };
    const posted = await fetch(`${vigil.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([alert]),
    });
    expect(posted.status).toBe(200);
    await until('both webhooks', () => bodies['/am']!.length > 0 && bodies['/vigil']!.length > 0, {
      context: () => `got ${JSON.stringify(bodies)}`,
    });

    const fromAm = bodies['/am']![0]!;
    const fromVigil = bodies['/vigil']![0]!;
    const am = JSON.parse(fromAm);
    expect(am.alerts[0].labels).toEqual(alert.labels);
    expect(am.alerts[0].startsAt).toBe('2026-01-02T03:04:05.678Z');
    expect(am.groupKey).toBe('{}:{alertname="InteropTest"}');
    // Same keys, same order, same escaping, same fingerprint and group key: the same bytes.
    expect(fromVigil).toBe(fromAm);

    // The real Alertmanager lists the forwarded alert, with the fingerprint vigil computed.
    const listed = (await (await fetch(`${amUrl}/api/v2/alerts`)).json()) as Array<{ fingerprint: string }>;
    expect(listed.map((a) => a.fingerprint)).toEqual([am.alerts[0].fingerprint]);
  });
});
