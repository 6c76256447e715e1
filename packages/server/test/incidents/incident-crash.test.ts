import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test/support/free-port.js';
import { until } from '../../../../test/support/until.js';
import { startVigil as start } from '../../../../test/support/vigil-process.js';
import { listen } from '../alerts/notify/http-listener.js';

/**
 * An incident and its timeline, once reported by the API, survive SIGKILL of `vigil serve`, and so
 * does an escalation: a step whose delivery was under way is sent again, with the same key.
 */
const dir = mkdtempSync(join(tmpdir(), 'vigil-incident-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, 'vigil.yaml'),
  `notifications:
  route: { receiver: log, group_wait: 0s, group_interval: 1s, group_by: [alertname] }
  receivers: [{ name: log }]
`,
);

const startVigil = (port: number) =>
  start(port, {
    args: ['--config', join(dir, 'vigil.yaml'), '--data', join(dir, 'data'), '--statsd', 'off'],
  });

describe('incidents under SIGKILL', () => {
  it('keep the incident, its acknowledgement and its note', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const first = await startVigil(port);
    let id: string | undefined;
    try {
      await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        body: JSON.stringify([{ labels: { alertname: 'CheckoutDown', severity: 'critical' } }]),
      });
      id = await until('the incident opened', async () => {
        const body = (await (await fetch(`${url}/api/incidents`)).json()) as { incidents: { id: string }[] };
        return body.incidents[0]?.id;
      });
      expect(
        (await fetch(`${url}/api/incidents/${id}/ack`, { method: 'POST', body: '{"by":"carol"}' })).status,
      ).toBe(200);
      const note = await fetch(`${url}/api/incidents/${id}/notes`, {
        method: 'POST',
        body: '{"text":"restarting the pods"}',
      });
      expect(note.status).toBe(200);
    } finally {
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
    }
    const second = await startVigil(port);
    try {
      const incident = (await (await fetch(`${url}/api/incidents/${id}`)).json()) as {
        status: string;
        acknowledgedBy: string;
        timeline: { kind: string; text: string }[];
      };
      expect(incident.status).toBe('acknowledged');
      expect(incident.acknowledgedBy).toBe('carol');
      expect(incident.timeline.map((e) => e.kind)).toEqual([
        'opened',
        'alert_firing',
        'acknowledged',
        'note',
      ]);
      expect(incident.timeline.at(-1)!.text).toBe('restarting the pods');
    } finally {
      second.kill('SIGKILL');
    }
  }, 60_000);

  it('send again, with the same idempotency key, an escalation step whose delivery was cut by the kill', async () => {
    // The first page to team-b arrives but is never answered (the process dies before it can mark
    // the step sent); the second is answered.
    const paged = await listen((r) => (paged.received.indexOf(r) === 0 ? 'hang' : 200));
    const escalating = join(dir, 'escalating');
    writeFileSync(
      join(dir, 'escalation.yaml'),
      `notifications:
  route: { receiver: log, group_wait: 0s, group_interval: 1s, group_by: [alertname] }
  receivers:
    - { name: log }
    - { name: team-b, webhook_configs: [{ url: "${paged.url}/b" }] }
incidents: { severity: critical, escalationTick: 1s }
escalation_policies:
  - name: on-call
    match: { severity: critical }
    steps:
      - { after: 1s, receivers: [team-b] }
      - { after: 1h, receivers: [team-b] }
`,
    );
    const args = ['--config', join(dir, 'escalation.yaml'), '--data', escalating, '--statsd', 'off'];
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const first = await start(port, { args });
    try {
      await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        body: JSON.stringify([{ labels: { alertname: 'CheckoutDown', severity: 'critical' } }]),
      });
      await paged.waitFor(1);
    } finally {
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
    }
    const second = await start(port, { args });
    try {
      await paged.waitFor(2);
      const [cut, again] = paged.received;
      expect(again!.headers['idempotency-key']).toBe(cut!.headers['idempotency-key']);
      expect(again!.headers['x-vigil-incident']).toBe(cut!.headers['x-vigil-incident']);
      // Marked sent once, and the next step (an hour on) not sent early.
      const timeline = await until('the step marked sent', async () => {
        const incident = (await (
          await fetch(`${url}/api/incidents/${cut!.headers['x-vigil-incident']}`)
        ).json()) as {
          timeline: { kind: string; text: string }[];
        };
        const escalated = incident.timeline.filter((e) => e.kind === 'escalated');
        return escalated.length > 0 && escalated;
      });
      expect(timeline.map((e) => e.text)).toEqual(['escalated to team-b by webhook (step 1 of on-call)']);
      expect(paged.received).toHaveLength(2);
    } finally {
      second.kill('SIGKILL');
      await paged.close();
    }
  }, 60_000);
});
