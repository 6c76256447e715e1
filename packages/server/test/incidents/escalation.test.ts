import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { until } from '../../../../test/support/until.js';
import { type RunningServer, serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';
import { listen } from '../alerts/notify/http-listener.js';

const T0 = Date.parse('2026-06-01T12:00:00Z');
const MIN = 60_000;

let dir: string;
let clock: ManualClock;
let server: RunningServer;
let receivers: Record<'a' | 'b' | 'c', Awaited<ReturnType<typeof listen>>>;

async function start(): Promise<RunningServer> {
  const config = loadConfig(
    { config: join(dir, 'vigil.yaml'), listen: '127.0.0.1:0', data: join(dir, 'data'), statsd: 'off' },
    {},
  );
  server = await serve(config, clock);
  return server;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-escalation-'));
  clock = new ManualClock(T0);
  receivers = { a: await listen(), b: await listen(), c: await listen() };
  writePolicy(receivers.b.url, ['{ after: 5m, receivers: [team-b] }', '{ after: 15m, receivers: [team-c] }']);
});

/**
 * vigil.yaml: teams a, b and c as webhooks (team-b's at `teamB`), team-a the route's receiver,
 * critical alerts opening incidents, and the on-call policy escalating through `steps`.
 */
function writePolicy(teamB: string, steps: readonly string[]): void {
  writeConfig(
    teamB,
    `escalation_policies:
  - name: on-call
    match: { severity: critical }
    steps:
${steps.map((step) => `      - ${step}\n`).join('')}`,
  );
}

/** vigil.yaml: writePolicy's teams and incidents (with `incidents` added to them), then `rest`. */
function writeConfig(teamB: string, rest: string, incidents = ''): void {
  writeFileSync(
    join(dir, 'vigil.yaml'),
    `notifications:
  route: { receiver: team-a, group_by: [alertname], group_wait: 10s, group_interval: 1m, repeat_interval: 4h }
  receivers:
    - { name: team-a, webhook_configs: [{ url: "${receivers.a.url}/a" }] }
    - { name: team-b, webhook_configs: [{ url: "${teamB}/b" }] }
    - { name: team-c, webhook_configs: [{ url: "${receivers.c.url}/c" }] }
incidents: { severity: critical, escalationTick: 15s, ackLinkTtl: 1h${incidents} }
${rest}`,
  );
}
afterEach(async () => {
  await server.close();
  for (const r of Object.values(receivers)) await r.close();
  rmSync(dir, { recursive: true, force: true });
});

async function postAlert(
  labels: Record<string, string>,
  endsAt = clock.now() + 4 * 3_600_000,
): Promise<void> {
  const res = await fetch(`${server.url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([
      {
        labels,
        annotations: { summary: 'checkout answers 503', runbook_url: 'https://runbooks.example/checkout' },
        startsAt: new Date(clock.now()).toISOString(),
        endsAt: new Date(endsAt).toISOString(),
      },
    ]),
  });
  expect(res.status).toBe(200);
}

/** Moves the clock to `T0 + ms` in 15-second steps, letting each step's timers and deliveries run. */
async function advanceTo(ms: number): Promise<void> {
  while (clock.now() < T0 + ms) {
    clock.advance(Math.min(15_000, T0 + ms - clock.now()));
    await server.incidents.escalate();
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Moves the clock to `T0 + ms` in steps of `stepMs`, letting timers and I/O run between steps, without
 * waiting for the escalation steps under way (advanceTo does, which would never return while a
 * delivery waits on this clock to retry).
 */
async function driveTo(ms: number, stepMs = 15_000): Promise<void> {
  while (clock.now() < T0 + ms) {
    clock.advance(Math.min(stepMs, T0 + ms - clock.now()));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Starts vigil, posts a critical CheckoutDown and drives the clock to `T0 + ms`, past team-a's notification. */
async function startWithCheckoutDown(ms = 15_000): Promise<void> {
  await start();
  await postAlert({ alertname: 'CheckoutDown', severity: 'critical' });
  await advanceTo(ms);
  await receivers.a.waitFor(1);
}

/** Waits until team-b's first attempt is counted as failed with a 5xx. */
async function untilTeamBFailedOnce(): Promise<void> {
  await until('the failed first attempt to be counted', async () => {
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    return metrics.includes(
      'vigil_notifications_failed_total{receiver="team-b",integration="webhook",reason="http_5xx"} 1',
    );
  });
}

/**
 * Once team-b's first attempt has failed: shuts vigil down, has team-b answer 200, starts vigil again
 * and runs `resume` (the work the shutdown cut short); team-b then got the same idempotency key twice.
 */
async function restartAndResume(
  teamB: Awaited<ReturnType<typeof listen>>,
  answer: { status: number },
  resume: () => Promise<unknown>,
): Promise<void> {
  await untilTeamBFailedOnce();
  await server.close();
  answer.status = 200;
  await start();
  await resume();
  expect(teamB.received).toHaveLength(2);
  const [before, after] = teamB.received.map((r) => r.headers['idempotency-key']);
  expect(after).toBe(before);
}

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies, their shape is what the assertions check
async function getJson(path: string): Promise<any> {
  const res = await fetch(`${server.url}${path}`);
  expect(res.status).toBe(200);
  return res.json();
}

describe('incidents and escalation', () => {
  it('notify A, escalate to B after 5 minutes without an ack, and stop before C once acknowledged by link', async () => {
    await start();
    await postAlert({ alertname: 'CheckoutDown', severity: 'critical' });
    await postAlert({ alertname: 'DiskFilling', severity: 'warning' });
    await advanceTo(15_000);
    await receivers.a.waitFor(2);
    const toA = receivers.a.received.find((r) => r.body.includes('CheckoutDown'))!;
    const { incidents } = await getJson('/api/incidents');
    expect(incidents).toHaveLength(1); // the warning opened none
    const [incident] = incidents;
    expect(incident).toMatchObject({ title: 'CheckoutDown', severity: 'critical', status: 'open' });
    expect(toA.headers['x-vigil-incident']).toBe(incident.id);
    expect(toA.headers['idempotency-key']).toMatch(/^[0-9a-f]{32}$/);
    const ackURL = toA.headers['x-vigil-ack-url'] as string;
    expect(ackURL.startsWith(`${server.url}/ack/${incident.id}?expires=`)).toBe(true);

    await advanceTo(5 * MIN - 15_000);
    expect(receivers.b.received).toHaveLength(0);
    await advanceTo(5 * MIN + 15_000);
    await receivers.b.waitFor(1);
    expect(receivers.b.received[0]!.headers['x-vigil-incident']).toBe(incident.id);
    expect(JSON.parse(receivers.b.received[0]!.body).alerts[0].labels.alertname).toBe('CheckoutDown');

    // A scanner fetching the link changes nothing; a tampered signature is refused.
    const page = await fetch(ackURL);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post">');
    const tampered = await fetch(ackURL.replace(/signature=./, 'signature=A'), { method: 'POST' });
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain('the link signature is not valid');
    const other = await fetch(ackURL.replace(`/ack/${incident.id}`, '/ack/someone-else'), { method: 'POST' });
    expect(other.status).toBe(403);
    expect((await getJson(`/api/incidents/${incident.id}`)).status).toBe('open');

    const ack = await fetch(ackURL, { method: 'POST' });
    expect(ack.status).toBe(200);
    const acked = await getJson(`/api/incidents/${incident.id}`);
    expect(acked).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'link' });

    await advanceTo(20 * MIN);
    expect(receivers.c.received).toHaveLength(0);
    const timeline = (await getJson(`/api/incidents/${incident.id}`)).timeline;
    expect(timeline.map((e: { kind: string }) => e.kind)).toEqual([
      'opened',
      'alert_firing',
      'notified',
      'escalated',
      'acknowledged',
    ]);
    expect(timeline[3].text).toBe('escalated to team-b by webhook (step 1 of on-call)');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^vigil_incident_escalations_total\{policy="on-call"\} 1$/m);

    // The link expires an hour after it was made.
    await advanceTo(61 * MIN + 15_000);
    const late = await fetch(ackURL, { method: 'POST' });
    expect(late.status).toBe(403);
    expect(await late.text()).toContain('the link has expired');
    // An hour of 15-second steps: past the default 5 s on a loaded machine, and a test cut off while
    // it still drives the shared clock would move the next test's clock.
  }, 30_000);

  it('acknowledges through the API, and an unknown incident is a 404', async () => {
    await startWithCheckoutDown();
    const [incident] = (await getJson('/api/incidents?status=open')).incidents;
    const res = await fetch(`${server.url}/api/incidents/${incident.id}/ack`, {
      method: 'POST',
      body: JSON.stringify({ by: 'alice' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'alice' });
    const note = await fetch(`${server.url}/api/incidents/${incident.id}/notes`, {
      method: 'POST',
      body: JSON.stringify({ by: 'alice', text: 'rolling back 4.2.1' }),
    });
    expect((await note.json()).timeline.at(-1)).toMatchObject({
      kind: 'note',
      text: 'rolling back 4.2.1',
      by: 'alice',
    });
    await advanceTo(6 * MIN);
    expect(receivers.b.received).toHaveLength(0);
    const missing = await fetch(`${server.url}/api/incidents/nope/ack`, { method: 'POST' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'no incident "nope"' } });
  });

  it('resolves when its alerts do, writes the post-mortem with its durations, and counts it', async () => {
    await startWithCheckoutDown();
    const [incident] = (await getJson('/api/incidents')).incidents;
    await advanceTo(3 * MIN);
    await fetch(`${server.url}/api/incidents/${incident.id}/ack`, { method: 'POST', body: '{"by":"bob"}' });
    await advanceTo(42 * MIN);
    await postAlert({ alertname: 'CheckoutDown', severity: 'critical' }, clock.now());
    await advanceTo(44 * MIN);
    await receivers.a.waitFor(2);
    const resolved = await getJson(`/api/incidents/${incident.id}`);
    expect(resolved).toMatchObject({ status: 'resolved', resolvedBy: null });
    expect(resolved.timeline.map((e: { kind: string }) => e.kind)).toEqual([
      'opened',
      'alert_firing',
      'notified',
      'acknowledged',
      'alert_resolved',
      'resolved',
      'notified',
    ]);
    const res = await fetch(`${server.url}/api/incidents/${incident.id}/postmortem`);
    expect(res.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    const md = await res.text();
    // Opened at the first flush (T0 + 10 s), acknowledged at 3 min, resolved at the flush after 42 min.
    expect(md).toContain('- Time to acknowledge: 2m 50s (by bob)');
    expect(md).toContain(`- Resolved: ${new Date(resolved.resolvedAt).toISOString().replace('.000Z', 'Z')}`);
    expect(md).toContain('Runbooks: https://runbooks.example/checkout');
    expect(md).toContain('## Cause');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('vigil_incidents_total{severity="critical"} 1');
    expect(metrics).toContain('vigil_incidents_open 0');
    expect(metrics).toContain('vigil_incident_time_to_acknowledge_seconds_sum{severity="critical"} 170');
  });

  it('takes in only alerts at its severity: a warning and the always-firing Watchdog in the same group neither join nor hold it open', async () => {
    writeFileSync(
      join(dir, 'vigil.yaml'),
      `notifications:
  route: { receiver: team-a, group_wait: 10s, group_interval: 1m, repeat_interval: 4h }
  receivers: [{ name: team-a, webhook_configs: [{ url: "${receivers.a.url}/a" }] }]
incidents: { severity: critical, escalationTick: 15s }
`,
    );
    await start();
    await postAlert({ alertname: 'CheckoutDown', severity: 'critical' });
    await postAlert({ alertname: 'DiskFillingUp', severity: 'warning' });
    await advanceTo(15_000);
    await receivers.a.waitFor(1);
    const [incident] = (await getJson('/api/incidents')).incidents;
    const opened = await getJson(`/api/incidents/${incident.id}`);
    expect(opened.alerts.map((a: { labels: { alertname: string } }) => a.labels.alertname)).toEqual([
      'CheckoutDown',
    ]);
    await postAlert({ alertname: 'CheckoutDown', severity: 'critical' }, clock.now());
    await advanceTo(3 * MIN);
    expect((await getJson(`/api/incidents/${incident.id}`)).status).toBe('resolved');
  });

  it('keeps the incident and its timeline across a restart, and sends the step that fell due while down', async () => {
    await startWithCheckoutDown();
    await advanceTo(4 * MIN);
    await server.close();
    clock.advance(3 * MIN); // down from 4m to 7m: the 5-minute step fell due meanwhile
    await start();
    await server.incidents.escalate();
    await receivers.b.waitFor(1);
    const [incident] = (await getJson('/api/incidents')).incidents;
    const full = await getJson(`/api/incidents/${incident.id}`);
    expect(full.timeline.map((e: { kind: string }) => e.kind)).toEqual([
      'opened',
      'alert_firing',
      'notified',
      'escalated',
    ]);
    expect(receivers.b.received).toHaveLength(1);
    expect(receivers.c.received).toHaveLength(0);
  });

  it('stops within one escalation tick of an acknowledgement that lands just before a step falls due', async () => {
    await startWithCheckoutDown();
    const [incident] = (await getJson('/api/incidents')).incidents;
    await advanceTo(5 * MIN + 15_000);
    await receivers.b.waitFor(1);
    // The 15-minute step is checked at the tick at 15:00 (escalationTick 15s); the acknowledgement
    // comes at 14:55, after the tick at 14:45.
    await advanceTo(15 * MIN - 15_000);
    clock.advance(10_000);
    const ack = await fetch(`${server.url}/api/incidents/${incident.id}/ack`, {
      method: 'POST',
      body: '{"by":"dana"}',
    });
    expect(ack.status).toBe(200);
    await advanceTo(30 * MIN);
    expect(receivers.c.received).toHaveLength(0);
    const kinds = (await getJson(`/api/incidents/${incident.id}`)).timeline.map(
      (e: { kind: string }) => e.kind,
    );
    expect(kinds).toEqual(['opened', 'alert_firing', 'notified', 'escalated', 'acknowledged']);
  });

  it("ends a step at an acknowledgement made while it was being delivered: the step's later receivers are not told", async () => {
    // The person paged first acknowledges as their page arrives, before vigil has told the next
    // receiver of the same step.
    const paged = await listen((r) => {
      server.incidents.acknowledge(String(r.headers['x-vigil-incident']), 'erin');
      return 200;
    });
    writePolicy(paged.url, ['{ after: 5m, receivers: [team-b, team-c] }']);
    try {
      await startWithCheckoutDown();
      await advanceTo(6 * MIN);
      await paged.waitFor(1);
      await advanceTo(10 * MIN);
      expect(receivers.c.received).toHaveLength(0);
      const [incident] = (await getJson('/api/incidents')).incidents;
      const full = await getJson(`/api/incidents/${incident.id}`);
      expect(full).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'erin' });
      expect(full.timeline.map((e: { kind: string }) => e.kind)).toEqual([
        'opened',
        'alert_firing',
        'notified',
        'acknowledged',
        'escalated',
      ]);
    } finally {
      await paged.close();
    }
  });

  it('sends every step that fell due while vigil was down, in order, each with its own idempotency key', async () => {
    await startWithCheckoutDown();
    await advanceTo(4 * MIN);
    await server.close();
    clock.advance(13 * MIN); // down from 4m to 17m: the 5- and 15-minute steps both fell due
    await start();
    await server.incidents.escalate();
    await receivers.b.waitFor(1);
    await receivers.c.waitFor(1);
    const [incident] = (await getJson('/api/incidents')).incidents;
    const timeline = (await getJson(`/api/incidents/${incident.id}`)).timeline;
    expect(
      timeline.filter((e: { kind: string }) => e.kind === 'escalated').map((e: { text: string }) => e.text),
    ).toEqual([
      'escalated to team-b by webhook (step 1 of on-call)',
      'escalated to team-c by webhook (step 2 of on-call)',
    ]);
    const keys = [receivers.a, receivers.b, receivers.c].map(
      (r) => r.received[0]!.headers['idempotency-key'],
    );
    expect(new Set(keys).size).toBe(3);
    await advanceTo(40 * MIN);
    expect(receivers.b.received).toHaveLength(1);
    expect(receivers.c.received).toHaveLength(1);
  });

  it('notes a silence on the timeline of the incident whose alert it mutes, and its expiry', async () => {
    await start();
    await postAlert({ alertname: 'CheckoutDown', severity: 'critical', zone: 'eu' });
    await postAlert({ alertname: 'Unrelated', severity: 'critical' });
    await advanceTo(15_000);
    await receivers.a.waitFor(2);
    const { incidents } = await getJson('/api/incidents');
    const checkout = incidents.find((i: { title: string }) => i.title === 'CheckoutDown');
    const other = incidents.find((i: { title: string }) => i.title === 'Unrelated');
    const created = await fetch(`${server.url}/api/v2/silences`, {
      method: 'POST',
      body: JSON.stringify({
        matchers: [{ name: 'alertname', value: 'CheckoutDown', isRegex: false, isEqual: true }],
        startsAt: new Date(clock.now()).toISOString(),
        endsAt: new Date(clock.now() + 2 * 3_600_000).toISOString(),
        createdBy: 'carol',
        comment: 'deploy 4.2.2 in progress',
      }),
    });
    expect(created.status).toBe(200);
    const { silenceID } = await created.json();
    expect((await fetch(`${server.url}/api/v2/silence/${silenceID}`, { method: 'DELETE' })).status).toBe(200);

    const timeline = (await getJson(`/api/incidents/${checkout.id}`)).timeline;
    const silenced = timeline.filter((e: { kind: string }) => e.kind.startsWith('silence'));
    expect(silenced).toEqual([
      {
        at: new Date(clock.now()).toISOString(),
        kind: 'silenced',
        text: `silence ${silenceID} {alertname="CheckoutDown"} created, muting 1 alert of this incident until ${new Date(clock.now() + 2 * 3_600_000).toISOString()}: deploy 4.2.2 in progress`,
        by: 'carol',
      },
      {
        at: new Date(clock.now()).toISOString(),
        kind: 'silence_expired',
        text: `silence ${silenceID} {alertname="CheckoutDown"} expired: 1 alert of this incident no longer muted`,
        by: null,
      },
    ]);
    const otherKinds = (await getJson(`/api/incidents/${other.id}`)).timeline.map(
      (e: { kind: string }) => e.kind,
    );
    expect(otherKinds.some((k: string) => k.startsWith('silence'))).toBe(false);
  });
  it("cuts short the retries of a step's delivery when the incident is acknowledged during the backoff", async () => {
    const failing = await listen(() => 500);
    writePolicy(failing.url, ['{ after: 5m, receivers: [team-b] }', '{ after: 15m, receivers: [team-c] }']);
    try {
      await startWithCheckoutDown(5 * MIN);
      const [incident] = (await getJson('/api/incidents')).incidents;
      // Opened at 0:10, so the step falls due at 5:10 and goes out at the 5:15 tick; team-b answers 500.
      await driveTo(5 * MIN + 15_000);
      await failing.waitFor(1);
      // The first attempt has failed and the delivery waits out its backoff (about 1 s on this clock).
      await untilTeamBFailedOnce();
      const ack = await fetch(`${server.url}/api/incidents/${incident.id}/ack`, {
        method: 'POST',
        body: '{"by":"dana"}',
      });
      expect(ack.status).toBe(200);
      const stopped = await until(
        'the step to be recorded as stopped',
        async () => {
          const entry = (await getJson(`/api/incidents/${incident.id}`)).timeline.at(-1);
          return entry.kind === 'escalation_stopped' && entry;
        },
        { timeoutMs: 10_000, context: () => `team-b got ${failing.received.length} requests` },
      );
      expect(stopped.text).toBe(
        'escalating to team-b by webhook (step 1 of on-call) stopped after 1 attempt: acknowledged by dana',
      );
      // Past every backoff the delivery would have waited (five attempts within the 1m group
      // interval) and the second step's time: team-b heard nothing more, team-c nothing at all.
      await driveTo(20 * MIN, 1_000);
      expect(failing.received).toHaveLength(1);
      expect(receivers.c.received).toHaveLength(0);
      const full = await getJson(`/api/incidents/${incident.id}`);
      expect(full.timeline.map((e: { kind: string }) => e.kind)).toEqual([
        'opened',
        'alert_firing',
        'notified',
        'acknowledged',
        'escalation_stopped',
      ]);
      const history = await getJson('/api/alerts/history?limit=100');
      const toB = history.data.events.filter(
        (e: { kind: string; receiver?: string }) => e.kind === 'notification' && e.receiver === 'team-b',
      );
      expect(toB.map((e: { result: string }) => e.result).sort()).toEqual(['cancelled', 'retry']);
      // The stopped step paged no one, so it is not counted as an escalation.
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).not.toMatch(/^vigil_incident_escalations_total\{policy="on-call"\} [1-9]/m);
    } finally {
      await failing.close();
    }
  }, 30_000);

  it("delivers one incident's step on time while another incident's receiver hangs and is retried", async () => {
    const hanging = await listen(() => 'hang');
    writeConfig(
      hanging.url,
      `escalation_policies:
  - name: checkout
    match: { alertname: CheckoutDown }
    steps: [{ after: 5m, receivers: [team-b] }]
  - name: payments
    match: { alertname: PaymentsDown }
    steps: [{ after: 5m30s, receivers: [team-c] }]
`,
    );
    try {
      await start();
      await postAlert({ alertname: 'CheckoutDown', severity: 'critical' });
      await postAlert({ alertname: 'PaymentsDown', severity: 'critical' });
      await advanceTo(5 * MIN);
      await receivers.a.waitFor(2);
      // CheckoutDown's step goes to team-b at the 5:15 tick; team-b never answers, so each attempt
      // times out after 10 s and is retried, for up to the 1-minute group interval.
      await driveTo(5 * MIN + 15_000);
      await hanging.waitFor(1);
      await driveTo(5 * MIN + 30_000, 1_000);
      await hanging.waitFor(2);
      // PaymentsDown's step falls due at 5:40 and goes out at the 5:45 tick, the clock standing there.
      await driveTo(5 * MIN + 45_000, 1_000);
      await until('team-c to get the payments step', () => receivers.c.received.length > 0, {
        timeoutMs: 10_000,
        context: () => `team-b got ${hanging.received.length} attempts meanwhile`,
      });
      expect(clock.now()).toBe(T0 + 5 * MIN + 45_000);
      expect(JSON.parse(receivers.c.received[0]!.body).alerts[0].labels.alertname).toBe('PaymentsDown');
      const { incidents } = await getJson('/api/incidents');
      const checkout = incidents.find((i: { title: string }) => i.title === 'CheckoutDown');
      const payments = incidents.find((i: { title: string }) => i.title === 'PaymentsDown');
      const paymentsTimeline = await until('the payments step on its timeline', async () => {
        const t = (await getJson(`/api/incidents/${payments.id}`)).timeline;
        return t.some((e: { kind: string }) => e.kind === 'escalated') && t;
      });
      expect(paymentsTimeline.at(-1).text).toBe('escalated to team-c by webhook (step 1 of payments)');
      // The checkout step is still being retried: nothing on its timeline yet.
      const checkoutKinds = (await getJson(`/api/incidents/${checkout.id}`)).timeline.map(
        (e: { kind: string }) => e.kind,
      );
      expect(checkoutKinds).toEqual(['opened', 'alert_firing', 'notified']);
    } finally {
      await hanging.close();
    }
  }, 30_000);
  it('leaves a step whose retries a shutdown cut short due, and sends it after the restart with the same idempotency key', async () => {
    const answer = { status: 500 };
    const flaky = await listen(() => answer.status);
    writePolicy(flaky.url, ['{ after: 5m, receivers: [team-b] }']);
    try {
      await startWithCheckoutDown(5 * MIN);
      await driveTo(5 * MIN + 15_000);
      await flaky.waitFor(1);
      await restartAndResume(flaky, answer, () => server.incidents.escalate());
      const [incident] = (await getJson('/api/incidents')).incidents;
      const kinds = (await getJson(`/api/incidents/${incident.id}`)).timeline.map(
        (e: { kind: string }) => e.kind,
      );
      expect(kinds).toEqual(['opened', 'alert_firing', 'notified', 'escalated']);
    } finally {
      await flaky.close();
    }
  }, 30_000);
  it('posts again after a restart a post-mortem whose delivery a shutdown cut short, with the same idempotency key', async () => {
    const answer = { status: 500 };
    const flaky = await listen(() => answer.status);
    writeConfig(flaky.url, '', ', postmortemReceivers: [team-b]');
    try {
      await startWithCheckoutDown();
      const [incident] = (await getJson('/api/incidents')).incidents;
      const resolved = await fetch(`${server.url}/api/incidents/${incident.id}/resolve`, {
        method: 'POST',
        body: '{"by":"frank"}',
      });
      expect(resolved.status).toBe(200);
      await flaky.waitFor(1);
      await restartAndResume(flaky, answer, () => server.incidents.postPostMortems());
      const timeline = (await getJson(`/api/incidents/${incident.id}`)).timeline;
      expect(timeline.at(-1)).toMatchObject({
        kind: 'notified',
        text: 'post-mortem posted to team-b by webhook',
      });
      expect(timeline.map((e: { kind: string }) => e.kind)).not.toContain('notification_failed');
    } finally {
      await flaky.close();
    }
  }, 30_000);
});
