import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Counter, ManualClock, Registry } from '@vigil/metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { countBackgroundFailures } from '../../src/errors/background-tasks.js';
import { AckLinks } from '../../src/incidents/ack-links.js';
import { IncidentManager } from '../../src/incidents/incident-manager.js';
import { DocumentFile } from '../../src/store/document-file.js';

const T0 = Date.parse('2026-06-01T12:00:00Z');

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('a post-mortem whose posting fails', () => {
  it('is reported as a failed background task and stays pending, without an unhandled rejection', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-postmortem-failure-'));
    const documents = new DocumentFile(join(dir, 'incidents.db'));
    cleanups.push(
      () => rmSync(dir, { recursive: true, force: true }),
      () => documents.close(),
    );
    const clock = new ManualClock(T0);
    const registry = new Registry({ clock });
    countBackgroundFailures(registry);
    const manager = new IncidentManager({
      documents,
      clock,
      severity: 'critical',
      retentionDays: 1,
      policies: [],
      postmortemReceivers: ['postmortems'],
      // As the pipeline's deliverTo rejects when the alert history cannot record the delivery.
      deliver: async () => {
        throw new Error('database or disk is full');
      },
      links: new AckLinks(join(dir, 'ack-signing.key')),
      ackLinkTtlMs: 3_600_000,
      externalURL: () => 'http://vigil.test',
      tickMs: 3_600_000,
    });
    manager.start();
    cleanups.push(() => manager.stop());
    const group = (status: 'firing' | 'resolved') => ({
      key: '{}:{alertname="Down"}',
      labels: { alertname: 'Down' },
      receiver: 'team',
      alerts: [
        {
          status,
          labels: { alertname: 'Down', severity: 'critical' },
          annotations: {},
          startsAt: T0,
          endsAt: status === 'resolved' ? T0 + 60_000 : 0,
          generatorURL: '',
          fingerprint: 'down',
        },
      ],
    });
    manager.flushing(group('firing'), T0);
    const [incident] = manager.list({ status: 'open' });
    clock.advance(60_000);
    manager.flushing(group('resolved'), clock.now());
    const failures = registry.getMetric('vigil_background_errors_total') as Counter;
    await expect.poll(() => failures.get({ task: 'posting post-mortems' })).toBe(1);
    // Posted again after a restart, which reads the pending ones back.
    expect(manager.get(incident!.id)!.postmortem).toBe('pending');
  });
});
