import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test/support/free-port.js';
import { startVigil as start } from '../../../../test/support/vigil-process.js';

/** An incident and its timeline, once reported by the API, survive SIGKILL of `vigil serve`. */
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
      for (let i = 0; i < 100 && id === undefined; i++) {
        const body = (await (await fetch(`${url}/api/incidents`)).json()) as { incidents: { id: string }[] };
        id = body.incidents[0]?.id;
        if (id === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      expect(id).toBeDefined();
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
});
