import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveryResult } from '../../src/alerts/notify/delivery.js';
import type { Notification } from '../../src/alerts/notify/notification.js';
import { AckLinks } from '../../src/incidents/ack-links.js';
import { IncidentManager } from '../../src/incidents/incident-manager.js';
import { DocumentFile } from '../../src/store/document-file.js';

const T0 = Date.parse('2026-06-01T12:00:00Z');

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Results = Array<DeliveryResult & { integration: string }>;

describe('escalation steps of many incidents', () => {
  it('delivers at most 8 at a time, and starts a waiting one as soon as a slot frees, not at the next tick', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-escalation-concurrency-'));
    const documents = new DocumentFile(join(dir, 'incidents.db'));
    cleanups.push(
      () => rmSync(dir, { recursive: true, force: true }),
      () => documents.close(),
    );
    const clock = new ManualClock(T0);
    // Deliveries the test ends by hand: what is under way is exactly what has not been answered.
    const pending: Array<{ n: Notification; answer: (r: Results) => void }> = [];
    const manager = new IncidentManager({
      documents,
      clock,
      severity: 'critical',
      retentionDays: 1,
      policies: [{ name: 'page', match: {}, steps: [{ afterMs: 60_000, receivers: ['pager'] }], repeat: 0 }],
      deliver: (_receiver, n) => new Promise((answer) => pending.push({ n, answer })),
      links: new AckLinks(join(dir, 'ack-signing.key')),
      ackLinkTtlMs: 3_600_000,
      externalURL: () => 'http://vigil.test',
      tickMs: 3_600_000,
    });
    for (let i = 0; i < 10; i++)
      manager.flushing(
        {
          key: `{}:{alertname="Down${i}"}`,
          labels: { alertname: `Down${i}` },
          receiver: 'team',
          alerts: [
            {
              status: 'firing',
              labels: { alertname: `Down${i}`, severity: 'critical' },
              annotations: {},
              startsAt: T0,
              endsAt: 0,
              generatorURL: '',
              fingerprint: `fp${i}`,
            },
          ],
        },
        T0,
      );
    clock.advance(60_000);
    const all = manager.escalate();
    expect(pending).toHaveLength(8);
    pending[0]!.answer([{ integration: 'webhook', ok: true, attempts: 1 }]);
    await expect.poll(() => pending.length).toBe(9);
    for (const p of pending.slice(1)) p.answer([{ integration: 'webhook', ok: true, attempts: 1 }]);
    await expect.poll(() => pending.length).toBe(10);
    pending[9]!.answer([{ integration: 'webhook', ok: true, attempts: 1 }]);
    await all;
    await manager.escalate();
    const groups = new Set(pending.map((p) => p.n.groupKey));
    expect(groups.size).toBe(10);
    const escalated = manager.list({ status: 'open' }).filter((i) => i.timeline.at(-1)?.kind === 'escalated');
    expect(escalated).toHaveLength(10);
    await manager.stop();
  });
});

describe('an escalation restarted while one of its steps is under way', () => {
  it('starts again from the first step: the step that was under way does not count for the new escalation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-escalation-restart-'));
    const documents = new DocumentFile(join(dir, 'incidents.db'));
    cleanups.push(
      () => rmSync(dir, { recursive: true, force: true }),
      () => documents.close(),
    );
    const clock = new ManualClock(T0);
    const pending: Array<{ receiver: string; answer: (r: Results) => void }> = [];
    const manager = new IncidentManager({
      documents,
      clock,
      severity: 'critical',
      retentionDays: 1,
      policies: [
        {
          name: 'page',
          match: {},
          steps: [
            { afterMs: 60_000, receivers: ['first'] },
            { afterMs: 600_000, receivers: ['second'] },
          ],
          repeat: 0,
        },
      ],
      deliver: (receiver) => new Promise((answer) => pending.push({ receiver, answer })),
      links: new AckLinks(join(dir, 'ack-signing.key')),
      ackLinkTtlMs: 3_600_000,
      externalURL: () => 'http://vigil.test',
      tickMs: 3_600_000,
    });
    cleanups.push(() => manager.stop());
    const firing = (name: string) => ({
      status: 'firing' as const,
      labels: { alertname: name, severity: 'critical' },
      annotations: {},
      startsAt: T0,
      endsAt: 0,
      generatorURL: '',
      fingerprint: name,
    });
    const group = (alerts: ReturnType<typeof firing>[]) => ({
      key: '{}:{team="a"}',
      labels: { team: 'a' },
      receiver: 'team',
      alerts,
    });
    manager.flushing(group([firing('Down')]), T0);
    clock.advance(60_000);
    const first = manager.escalate();
    expect(pending.map((p) => p.receiver)).toEqual(['first']);
    const [incident] = manager.list({ status: 'open' });
    // Acknowledged while the page is being sent; then a new alert fires, which restarts escalation.
    manager.acknowledge(incident!.id, 'alice');
    clock.advance(1_000);
    manager.flushing(group([firing('Down'), firing('Slow')]), clock.now());
    expect(manager.get(incident!.id)!.status).toBe('open');
    // The attempt under way was delivered.
    pending[0]!.answer([{ integration: 'webhook', ok: true, attempts: 1 }]);
    await first;
    // A minute after the restart, its first step: 'first' is paged for the new alert.
    clock.advance(60_000);
    const again = manager.escalate();
    expect(pending.map((p) => p.receiver)).toEqual(['first', 'first']);
    pending[1]!.answer([{ integration: 'webhook', ok: true, attempts: 1 }]);
    await again;
  });
});
