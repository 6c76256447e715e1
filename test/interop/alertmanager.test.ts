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
const bodies: Record<string, string[]> = {
  '/am': [],
  '/vigil': [],
  '/vigil-silenced': [],
  '/vigil-escalation': [],
};
let hook: string;

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
  hook = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
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
    // Without the built-in Watchdog, which would be forwarded too and change the bodies compared.
    `selfMonitoring: {alerts: false}
notifications:
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

interface AmAlert {
  labels: Record<string, string>;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  status: { state: string };
}

/** vigil serving `yaml`, with one alerting rule `alertname: metric == 1` in rules.yml beside it. */
async function serveWithRule(
  name: string,
  rule: { alertname: string; metric: string; severity: string },
  yaml: string,
): Promise<RunningServer> {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'rules.yml'),
    `groups:\n  - name: interop\n    rules:\n      - alert: ${rule.alertname}\n        expr: ${rule.metric} == 1\n        labels: {severity: ${rule.severity}}\n`,
  );
  writeFileSync(join(dir, 'vigil.yaml'), yaml);
  const port = await freePort();
  return serve(
    loadConfig(
      {
        config: join(dir, 'vigil.yaml'),
        listen: `127.0.0.1:${port}`,
        data: join(dir, 'data'),
        statsd: 'off',
      },
      {},
    ),
  );
}

/** Sets the rule's metric on `server` through the Pushgateway API. */
async function pushSwitch(server: RunningServer, metric: string, value: number): Promise<void> {
  const pushed = await fetch(`${server.url}/metrics/job/interop`, {
    method: 'PUT',
    body: `${metric} ${value}\n`,
  });
  expect(pushed.status).toBeLessThan(300);
}

/** The alert as the real Alertmanager lists it. */
async function amAlert(alertname: string): Promise<AmAlert | undefined> {
  const listed = (await (await fetch(`${amUrl}/api/v2/alerts`)).json()) as AmAlert[];
  return listed.find((a) => a.labels.alertname === alertname);
}

/** The alerts the real Alertmanager's webhook posted, with their status, for one alertname. */
function amWebhookAlerts(alertname: string): Array<{ status: string; endsAt: string }> {
  return bodies['/am']!.flatMap((body) =>
    (
      JSON.parse(body) as { alerts: Array<{ status: string; endsAt: string; labels: { alertname: string } }> }
    ).alerts.filter((a) => a.labels.alertname === alertname),
  );
}

/** The alertnames vigil's own webhook posted in the forwarding test. */
function vigilWebhookAlertnames(): string[] {
  return bodies['/vigil-silenced']!.flatMap((body) =>
    (JSON.parse(body) as { alerts: Array<{ labels: { alertname: string } }> }).alerts.map(
      (a) => a.labels.alertname,
    ),
  );
}

/**
 * The Alertmanager's first listing of the alert as active, posted with the endsAt vigil's rules set
 * (evaluation time + 4 × max(evaluation interval, resend delay), 4 s here), not left to the
 * Alertmanager's 5-minute resolve_timeout.
 */
async function firstActive(alertname: string): Promise<AmAlert> {
  const first = await until(`the Alertmanager to list ${alertname} as active`, async () => {
    const a = await amAlert(alertname);
    return a?.status.state === 'active' && a;
  });
  const validFor = Date.parse(first.endsAt) - Date.parse(first.updatedAt);
  expect(validFor).toBeGreaterThan(2_000);
  expect(validFor).toBeLessThanOrEqual(4_000);
  return first;
}

/**
 * The alert there once the first send's endsAt is 3 s past: still active, with a later endsAt, so
 * vigil kept resending it, and never resolved by the Alertmanager's webhook.
 */
async function activePastFirstEndsAt(alertname: string, first: AmAlert): Promise<AmAlert> {
  const later = await until(
    'the first endsAt to be 3 s past',
    async () => {
      const a = await amAlert(alertname);
      return Date.now() > Date.parse(first.endsAt) + 3_000 && a;
    },
    { timeoutMs: 20_000 },
  );
  expect(later.status.state).toBe('active');
  expect(Date.parse(later.endsAt)).toBeGreaterThan(Date.parse(first.endsAt) + 3_000);
  expect(amWebhookAlerts(alertname).map((a) => a.status)).not.toContain('resolved');
  return later;
}

async function untilAmWebhookResolves(alertname: string): Promise<void> {
  await until(
    `the Alertmanager webhook to send ${alertname} resolved`,
    () => amWebhookAlerts(alertname).some((a) => a.status === 'resolved'),
    { timeoutMs: 20_000, context: () => JSON.stringify(amWebhookAlerts(alertname)) },
  );
}

describe('forwarding to Alertmanager 0.25 as Prometheus does', () => {
  it('keeps forwarding an alert silenced in vigil, so the Alertmanager never times it out as resolved, and resolves it when it ends', async () => {
    // Evaluation and resend delay of 1 s: each send is valid 4 s (4 × max(1 s, 1 s)), so a few
    // seconds without a forward would make the Alertmanager resolve the alert on its own.
    const forwarder = await serveWithRule(
      'forwarding',
      { alertname: 'InteropSilenced', metric: 'interop_switch', severity: 'warning' },
      `rule_files: [rules.yml]
evaluation_interval: 1s
alert_resend_delay: 1s
scrape:
  interval: 1s
notifications:
  route:
    receiver: team
    group_by: [alertname]
    group_wait: 1s
    group_interval: 1s
  receivers:
    - name: team
      webhook_configs:
        - url: ${hook}/vigil-silenced
      alertmanager_configs:
        - url: ${amUrl}
`,
    );
    try {
      const silenced = await fetch(`${forwarder.url}/api/v2/silences`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          matchers: [{ name: 'alertname', value: 'InteropSilenced', isRegex: false, isEqual: true }],
          startsAt: new Date().toISOString(),
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
          createdBy: 'interop',
          comment: 'maintenance in vigil',
        }),
      });
      expect(silenced.status).toBe(200);
      await pushSwitch(forwarder, 'interop_switch', 1);

      const first = await firstActive('InteropSilenced');
      // Active past the first send's endsAt although vigil's own silence mutes the alert.
      const later = await activePastFirstEndsAt('InteropSilenced', first);
      expect(later.startsAt).toBe(first.startsAt);
      expect(amWebhookAlerts('InteropSilenced').map((a) => a.status)).toContain('firing');
      // vigil's own webhook honours the silence.
      expect(vigilWebhookAlertnames()).not.toContain('InteropSilenced');

      // When the rule stops firing, vigil forwards the resolution and the Alertmanager sends it on.
      await pushSwitch(forwarder, 'interop_switch', 0);
      await untilAmWebhookResolves('InteropSilenced');
      expect(vigilWebhookAlertnames()).not.toContain('InteropSilenced');
    } finally {
      await forwarder.close();
    }
  });
});

describe('escalating to a receiver that forwards to Alertmanager 0.25', () => {
  it("hands it the alert with the rule's endsAt, keeps it firing there past that endsAt, and resolves it when it ends", async () => {
    // The alert routes to team (a webhook); only the escalation step leads to the Alertmanager.
    // Evaluation and resend delay of 1 s: each send is valid 4 s there.
    const escalating = await serveWithRule(
      'escalation',
      { alertname: 'InteropEscalated', metric: 'interop_escalated', severity: 'critical' },
      `rule_files: [rules.yml]
evaluation_interval: 1s
alert_resend_delay: 1s
scrape:
  interval: 1s
notifications:
  route:
    receiver: team
    group_by: [alertname]
    group_wait: 1s
    group_interval: 1s
  receivers:
    - name: team
      webhook_configs:
        - url: ${hook}/vigil-escalation
    - name: upstream
      alertmanager_configs:
        - url: ${amUrl}
incidents: { severity: critical, escalationTick: 1s }
escalation_policies:
  - name: upstream
    match: { alertname: InteropEscalated }
    steps: [{ after: 1s, receivers: [upstream] }]
`,
    );
    try {
      await pushSwitch(escalating, 'interop_escalated', 1);
      const first = await firstActive('InteropEscalated');
      const [incident] = (await (await fetch(`${escalating.url}/api/incidents`)).json()).incidents;
      const timeline = (await (await fetch(`${escalating.url}/api/incidents/${incident.id}`)).json())
        .timeline;
      expect(timeline.map((e: { text: string }) => e.text)).toContain(
        'escalated to upstream by alertmanager (step 1 of upstream)',
      );
      // The rule's resends follow the escalation.
      await activePastFirstEndsAt('InteropEscalated', first);

      // When the rule stops firing, the Alertmanager hears the resolution and sends it on.
      await pushSwitch(escalating, 'interop_escalated', 0);
      await untilAmWebhookResolves('InteropEscalated');
    } finally {
      await escalating.close();
    }
  });
});
