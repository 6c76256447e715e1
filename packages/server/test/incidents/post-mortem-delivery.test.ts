import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningServer, serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';
import { listen } from '../alerts/notify/http-listener.js';

const T0 = Date.parse('2026-06-01T12:00:00Z');
const MIN = 60_000;
const STEP = 15_000;
const RPS = 100;
/** The outage: latency climbs to 1.7 s at T0 + 7m and errors are 5% of requests, from 3m to 11m. */
const OUTAGE = { from: T0 + 3 * MIN, to: T0 + 11 * MIN, peakAt: T0 + 7 * MIN };

let dir: string;
let clock: ManualClock;
let server: RunningServer;
let team: Awaited<ReturnType<typeof listen>>;
let postmortems: Awaited<ReturnType<typeof listen>>;

function latency(t: number): number {
  if (t < OUTAGE.from || t >= OUTAGE.to) return 0.2;
  return 0.2 + 1.5 * (1 - Math.abs(t - OUTAGE.peakAt) / (4 * MIN));
}

/** An hour of history before T0 and the 40 minutes the test runs through, every 15 s. */
async function writeData(): Promise<void> {
  const times: number[] = [];
  for (let t = T0 - 60 * MIN; t <= T0 + 40 * MIN; t += STEP) times.push(t);
  const ok: number[] = [];
  const errors: number[] = [];
  let okCount = 0;
  let errorCount = 0;
  for (const t of times) {
    const share = t >= OUTAGE.from && t < OUTAGE.to ? 0.05 : 0.0005;
    okCount += RPS * 15 * (1 - share);
    errorCount += RPS * 15 * share;
    ok.push(okCount);
    errors.push(errorCount);
  }
  const timestamps = Float64Array.from(times);
  await server.store.append([
    {
      labels: { __name__: 'checkout_latency_seconds', route: '/pay' },
      timestamps,
      values: Float64Array.from(times, latency),
    },
    { labels: { __name__: 'http_requests_total', code: '200' }, timestamps, values: Float64Array.from(ok) },
    {
      labels: { __name__: 'http_requests_total', code: '500' },
      timestamps,
      values: Float64Array.from(errors),
    },
  ]);
}

async function advanceTo(ms: number): Promise<void> {
  while (clock.now() < T0 + ms) {
    clock.advance(Math.min(STEP, T0 + ms - clock.now()));
    await server.incidents.escalate();
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
  }
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-postmortem-'));
  clock = new ManualClock(T0);
  team = await listen();
  postmortems = await listen();
  writeFileSync(
    join(dir, 'rules.yml'),
    `groups:
  - name: checkout
    rules:
      - alert: CheckoutSlow
        expr: checkout_latency_seconds > 0.5
        labels: { severity: critical }
`,
  );
  writeFileSync(
    join(dir, 'vigil.yaml'),
    `rule_files: [rules.yml]
evaluation_interval: 15s
notifications:
  route: { receiver: team, group_by: [alertname], group_wait: 10s, group_interval: 30s, repeat_interval: 4h }
  receivers:
    - { name: team, webhook_configs: [{ url: "${team.url}/team" }] }
    - { name: postmortems, webhook_configs: [{ url: "${postmortems.url}/pm" }] }
incidents: { severity: critical, postmortemReceivers: [postmortems] }
slos:
  - name: checkout-availability
    objective: 99.9
    window: 30d
    sli:
      ratio:
        errors: sum(rate(http_requests_total{code="500"}[$window]))
        total: sum(rate(http_requests_total[$window]))
`,
  );
  const config = loadConfig(
    { config: join(dir, 'vigil.yaml'), listen: '127.0.0.1:0', data: join(dir, 'data'), statsd: 'off' },
    {},
  );
  server = await serve(config, clock);
  await writeData();
});
afterEach(async () => {
  await server.close();
  await team.close();
  await postmortems.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('post-mortem posted when an incident resolves', () => {
  it('posts the Markdown with the SLO budget it consumed and the worst value of its alert, once', async () => {
    await advanceTo(25 * MIN);
    const { incidents } = (await (await fetch(`${server.url}/api/incidents`)).json()) as {
      incidents: { id: string; title: string; status: string; openedAt: string; resolvedAt: string }[];
    };
    const incident = incidents.find((i) => i.title === 'CheckoutSlow')!;
    expect(incident.status).toBe('resolved');
    const posts = () =>
      postmortems.received
        .map((r) => ({ headers: r.headers, body: JSON.parse(r.body) }))
        .filter((p) => p.body.incident === incident.id);
    await expect.poll(() => posts().length).toBe(1);
    const [post] = posts();
    expect(post!.headers['idempotency-key']).toMatch(/^[0-9a-f]{32}$/);
    expect(post!.body).toMatchObject({
      kind: 'postmortem',
      title: 'CheckoutSlow',
      openedAt: incident.openedAt,
      resolvedAt: incident.resolvedAt,
    });
    const md: string = post!.body.markdown;
    expect(md).toContain(`# Post-mortem: CheckoutSlow (${incident.id})`);
    // The rule's series at its worst: the peak of the scripted outage, at the minute it was written.
    expect(md).toContain(
      `- CheckoutSlow {route="/pay", severity="critical"}: highest 1.7 at ${new Date(OUTAGE.peakAt).toISOString().replace('.000Z', 'Z')}`,
    );
    // 5% errors against a 0.1% budget is a burn rate of 50; the incident spans about 7 minutes of it,
    // so it spent about 50 × 7 min / 30 d ≈ 0.8% of the month's budget. The recorded 5-minute ratio
    // lags the outage, so the measured figure is read within a band around that.
    const slo =
      /- checkout-availability \(99\.9% over 30d\): ([\d.]+)% of the budget consumed, burn rate ([\d.]+)×/.exec(
        md,
      );
    expect(slo).not.toBeNull();
    expect(Number(slo![1])).toBeGreaterThan(0.4);
    expect(Number(slo![1])).toBeLessThan(1.2);
    expect(Number(slo![2])).toBeGreaterThan(20);
    expect(Number(slo![2])).toBeLessThan(55);

    const timeline = (
      (await (await fetch(`${server.url}/api/incidents/${incident.id}`)).json()) as {
        timeline: { kind: string; text: string }[];
      }
    ).timeline;
    expect(timeline.at(-1)).toMatchObject({
      kind: 'notified',
      text: 'post-mortem posted to postmortems by webhook',
    });
    // The same document on the download route.
    const download = await (await fetch(`${server.url}/api/incidents/${incident.id}/postmortem`)).text();
    expect(download).toContain('highest 1.7');

    // Posted once: a restart later does not post it again.
    await server.close();
    server = await serve(
      loadConfig(
        { config: join(dir, 'vigil.yaml'), listen: '127.0.0.1:0', data: join(dir, 'data'), statsd: 'off' },
        {},
      ),
      clock,
    );
    await server.incidents.postPostMortems();
    await advanceTo(27 * MIN);
    expect(posts()).toHaveLength(1);
  }, 60_000);
});
