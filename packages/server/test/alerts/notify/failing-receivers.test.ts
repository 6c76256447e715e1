import v8 from 'node:v8';
import { type Counter, ManualClock, Registry, systemClock, toPrometheusText } from '@vigil/metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../../../test/support/free-port.js';
import { until } from '../../../../../test/support/until.js';
import type { AlertHistoryEvent } from '../../../src/alerts/alert-history-event.js';
import { Delivery } from '../../../src/alerts/notify/delivery.js';
import type { Notifier } from '../../../src/alerts/notify/notification.js';
import { WebhookNotifier } from '../../../src/alerts/notify/webhook-notifier.js';
import { countBackgroundFailures } from '../../../src/errors/background-tasks.js';
import { listen } from './http-listener.js';
import { alert, deliveringPipeline, T0 } from './pipeline-fixture.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('failing receivers', () => {
  it('retries a receiver that hangs, answers 500 or refuses connections, counts each failure and dead letter, while a healthy one delivers', async () => {
    const healthy = await listen();
    const failing = await listen(() => 500);
    const hanging = await listen(() => 'hang');
    for (const s of [healthy, failing, hanging]) cleanups.push(s.close);
    const refused = await freePort();
    const yaml = `
route:
  receiver: healthy
  group_wait: 0s
  routes:
    - {matchers: ['alertname=~".+"'], receiver: hang, continue: true}
    - {matchers: ['alertname=~".+"'], receiver: error, continue: true}
    - {matchers: ['alertname=~".+"'], receiver: refused, continue: true}
    - {matchers: ['alertname=~".+"'], receiver: healthy}
receivers:
  - {name: healthy, webhook_configs: [{url: '${healthy.url}/'}]}
  - {name: error, webhook_configs: [{url: '${failing.url}/'}]}
  - {name: hang, webhook_configs: [{url: '${hanging.url}/'}]}
  - {name: refused, webhook_configs: [{url: 'http://127.0.0.1:${refused}/'}]}
`;
    const { pipeline, clock, registry, events } = deliveringPipeline(yaml, {
      timeoutMs: 2_000,
      maxAttempts: 3,
      initialDelayMs: 500,
      jitter: 0,
    });
    cleanups.push(() => pipeline.close());

    pipeline.receive([alert({ alertname: 'Down' }, T0 - 60_000, T0 + 3_600_000)]);
    await healthy.waitFor(1);
    // The others are still retrying when the healthy receiver has its notification.
    expect(events.filter((e) => e.result === 'failed')).toEqual([]);
    const finished = (r: string) => events.some((e) => e.receiver === r && e.result !== 'retry');
    // Time moves on the injected clock; the loop only yields for the sockets' real I/O.
    await until(
      'the failing receivers to have given up',
      () => {
        clock.advance(250);
        return ['hang', 'error', 'refused'].every(finished);
      },
      { intervalMs: 5 },
    );
    const of = (r: string) => events.filter((e) => e.receiver === r).map((e) => `${e.attempt}:${e.result}`);
    expect(of('healthy')).toEqual(['1:success']);
    for (const r of ['hang', 'error', 'refused']) expect(of(r)).toEqual(['1:retry', '2:retry', '3:failed']);
    expect(failing.received).toHaveLength(3);
    expect(hanging.received).toHaveLength(3);
    expect(events.find((e) => e.receiver === 'hang')!.error).toMatch(/no answer within 2000 ms/);
    expect(events.find((e) => e.receiver === 'refused')!.error).toMatch(/ECONNREFUSED/);

    const text = toPrometheusText(registry.snapshotSync());
    const value = (line: string) =>
      Number(new RegExp(`^${line.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(
      value('vigil_notifications_failed_total{receiver="error",integration="webhook",reason="http_5xx"}'),
    ).toBe(3);
    expect(
      value('vigil_notifications_failed_total{receiver="hang",integration="webhook",reason="timeout"}'),
    ).toBe(3);
    expect(
      value('vigil_notifications_failed_total{receiver="refused",integration="webhook",reason="network"}'),
    ).toBe(3);
    for (const r of ['hang', 'error', 'refused'])
      expect(value(`vigil_notifications_dead_letter_total{receiver="${r}",integration="webhook"}`)).toBe(1);
    expect(value('vigil_notifications_total{receiver="healthy",integration="webhook"}')).toBe(1);
    expect(text).not.toMatch(/vigil_notifications_dead_letter_total\{receiver="healthy"/);
  });
});

describe('delivery at shutdown', () => {
  it('ends the attempts under way and the retries to come, records nothing after, and resolves close once all have returned', async () => {
    const clock = new ManualClock(T0);
    const events: AlertHistoryEvent[] = [];
    const delivery = new Delivery({
      clock,
      registry: new Registry({ clock }),
      events: { record: (e) => events.push(e) },
      initialDelayMs: 1_000,
      jitter: 0,
    });
    // An integration that never answers and ignores the signal, as an SMTP client may.
    const silent: Notifier = { integration: 'silent', sendResolved: true, send: () => new Promise(() => {}) };
    let calls = 0;
    const failing: Notifier = {
      integration: 'failing',
      sendResolved: true,
      send: async () => {
        calls++;
        return { code: 'retryable', reason: 'http_5xx', message: '503' };
      },
    };
    const n = {
      receiver: 'r',
      groupKey: '{}',
      status: 'firing' as const,
      groupLabels: {},
      alerts: [],
      externalURL: 'http://vigil.test',
      time: T0,
    };
    const hanging = delivery.deliver(silent, n, 3_600_000);
    const retrying = delivery.deliver(failing, n, 3_600_000);
    await until('the first failed attempt recorded', () => events.length === 1);
    await delivery.close();
    const shutDown = { ok: false, attempts: 1, error: 'vigil is shutting down', cancelled: true };
    expect(await hanging).toEqual(shutDown);
    expect(await retrying).toEqual(shutDown);
    clock.advance(3_600_000);
    expect(calls).toBe(1);
    expect(events.map((e) => e.kind === 'notification' && e.result)).toEqual(['retry']);
  });
});

describe('delivery over a long run', () => {
  it('holds nothing of a notification once it is delivered, retries included, until shutdown', async () => {
    const delivery = new Delivery({
      clock: systemClock,
      registry: new Registry({ clock: systemClock }),
      initialDelayMs: 1,
      maxDelayMs: 1,
      jitter: 0,
    });
    cleanups.push(() => delivery.close());
    // Every notification fails once and is delivered at its second attempt: two attempts and a pause.
    let calls = 0;
    const flaky: Notifier = {
      integration: 'flaky',
      sendResolved: true,
      send: async () =>
        calls++ % 2 === 0 ? { code: 'retryable', reason: 'http_5xx', message: '503' } : { code: 'success' },
    };
    const n = {
      receiver: 'r',
      groupKey: '{}',
      status: 'firing' as const,
      groupLabels: {},
      alerts: [],
      externalURL: 'http://vigil.test',
      time: T0,
    };
    const deliverMany = async (count: number) => {
      for (let i = 0; i < count; i++) expect((await delivery.deliver(flaky, n, 60_000)).ok).toBe(true);
    };
    // queryObjects collects garbage first: what it counts is held.
    const promises = () => v8.queryObjects(Promise, { format: 'count' });
    await deliverMany(50);
    const before = promises();
    await deliverMany(1_000);
    // Each delivery held a dozen promises (on a promise of the shutdown) until close: 12,000.
    expect(promises() - before).toBeLessThan(100);
  });

  it('delivers many notifications at once without a warning of a listener leak', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    cleanups.push(() => process.off('warning', onWarning));
    const delivery = new Delivery({ clock: systemClock, registry: new Registry({ clock: systemClock }) });
    cleanups.push(() => delivery.close());
    const answers: Array<() => void> = [];
    const slow: Notifier = {
      integration: 'slow',
      sendResolved: true,
      send: () => new Promise((resolve) => answers.push(() => resolve({ code: 'success' }))),
    };
    const n = {
      receiver: 'r',
      groupKey: '{}',
      status: 'firing' as const,
      groupLabels: {},
      alerts: [],
      externalURL: 'http://vigil.test',
      time: T0,
    };
    const all = Array.from({ length: 50 }, () => delivery.deliver(slow, n, 60_000));
    await until('50 attempts under way', () => answers.length === 50);
    for (const answer of answers) answer();
    expect((await Promise.all(all)).every((r) => r.ok)).toBe(true);
    // A warning is emitted on the next tick: one tick later it would be in.
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toEqual([]);
  });
});

describe('delivery when the alert history cannot be written', () => {
  it('delivers, and reports that the history failed instead of rejecting', async () => {
    const clock = new ManualClock(T0);
    const registry = new Registry({ clock });
    countBackgroundFailures(registry);
    const delivery = new Delivery({
      clock,
      registry,
      events: {
        record: () => {
          throw new Error('database or disk is full');
        },
      },
    });
    cleanups.push(() => delivery.close());
    let sent = 0;
    const webhook: Notifier = {
      integration: 'webhook',
      sendResolved: true,
      send: async () => {
        sent++;
        return { code: 'success' };
      },
    };
    const n = {
      receiver: 'r',
      groupKey: '{}',
      status: 'firing' as const,
      groupLabels: {},
      alerts: [],
      externalURL: 'http://vigil.test',
      time: T0,
    };
    // A rejection here was unhandled in an aggregation group's flush, which ends the process.
    expect(await delivery.deliver(webhook, n, 60_000)).toEqual({ ok: true, attempts: 1 });
    expect(sent).toBe(1);
    const failures = registry.getMetric('vigil_background_errors_total') as Counter;
    expect(failures.get({ task: 'recording notifications in the alert history' })).toBe(1);
  });
});

describe('delivery cancelled by its caller', () => {
  it('stops retrying at once when the signal aborts during the backoff, and records it as cancelled, not a dead letter', async () => {
    const clock = new ManualClock(T0);
    const registry = new Registry({ clock });
    const events: AlertHistoryEvent[] = [];
    const delivery = new Delivery({
      clock,
      registry,
      events: { record: (e) => events.push(e) },
      initialDelayMs: 60_000,
      maxDelayMs: 60_000,
      jitter: 0,
    });
    const failing = await listen(() => 500);
    cleanups.push(failing.close);
    const notifier = new WebhookNotifier({ url: `${failing.url}/`, sendResolved: true, maxAlerts: 0, clock });
    const stop = new AbortController();
    const result = delivery.deliver(
      notifier,
      {
        receiver: 'r',
        groupKey: '{}',
        status: 'firing',
        groupLabels: {},
        alerts: [],
        externalURL: 'http://vigil.test',
        time: T0,
      },
      3_600_000,
      stop.signal,
    );
    await until('the first failed attempt recorded', () => events.length === 1);
    // The clock stands still: only the signal can end the 60 s backoff.
    stop.abort(new DOMException('acknowledged by erin', 'AbortError'));
    expect(await result).toEqual({ ok: false, attempts: 1, error: 'acknowledged by erin', cancelled: true });
    // The delivery has returned: no attempt can follow.
    expect(failing.received).toHaveLength(1);
    expect(events.map((e) => e.kind === 'notification' && `${e.attempt}:${e.result}`)).toEqual([
      '1:retry',
      '1:cancelled',
    ]);
    expect(toPrometheusText(registry.snapshotSync())).not.toMatch(/vigil_notifications_dead_letter_total\{/);
  });
});
