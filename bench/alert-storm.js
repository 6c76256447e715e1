// Scenario: an alert storm, 10,000 alerts across 50 groups, through vigil's notification pipeline,
// and the same storm through Debian's Alertmanager 0.25 in the same run.
//
// 1. Injected clock (the figure the issue targets). NotificationPipeline from packages/server/dist
//    with a ManualClock and an in-process integration that only counts: route group_by
//    [alertname, service] (50 services), group_wait 30 s, group_interval 5 m, repeat_interval 4 h.
//    The 10,000 alerts arrive at t=0 and are sent again every minute, as Prometheus resends them;
//    at t=7 min 500 new alerts join the same 50 groups. Over 4 group intervals the notifications of
//    each interval window are counted (target: at most 50 per window), and the wall time of
//    receive() of the 10,000 alerts and of all the flushes is measured. RUNS runs, medians.
// 2. Real time, over HTTP, the same storm posted to `POST /api/v2/alerts` in 10 batches of 1,000:
//    `vigil serve` (child process, lib/vigil-server.js) and Alertmanager, each with a webhook
//    receiver on a local listener, group_wait 1 s, group_interval 10 s. Measured: the time to have
//    all 10,000 accepted (the responses of the 10 POSTs), the time until the 50th notification,
//    the groups notified, the notifications in the ~22 s watched and the shortest gap between two
//    notifications of one group as the listener saw them. Runs alternate vigil and Alertmanager;
//    medians and the ratio of accept times.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, scenario, table } from './lib/harness.js';
import { freeTcpPort, stopProcess, until } from './lib/processes.js';
import { startVigil } from './lib/vigil-server.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const HTTP_RUNS = Number(process.env.BENCH_HTTP_RUNS ?? 3);
const ALERTS = 10_000;
const GROUPS = 50;
const TARGET = 50;

const report = scenario('alert-storm', '10,000 alerts across 50 groups: notifications per group interval');
const { NotificationPipeline } = await import(
  '../packages/server/dist/alerts/notify/notification-pipeline.js'
);
const { parseNotifyConfig } = await import('../packages/server/dist/alerts/notify/notify-config.js');
const { ManualClock, Registry } = await import('../packages/metrics/dist/index.js');

function storm(count, startsAt, offset = 0) {
  const alerts = [];
  for (let i = offset; i < offset + count; i++) {
    alerts.push({
      labels: {
        alertname: 'HighLatency',
        service: `svc-${i % GROUPS}`,
        instance: `pod-${i}`,
        severity: 'warning',
      },
      annotations: { summary: `p95 latency of pod-${i} above 1 s` },
      startsAt,
      endsAt: 0,
      generatorURL: 'http://127.0.0.1:8000/graph',
    });
  }
  return alerts;
}

async function injectedClockRun() {
  const T0 = Date.parse('2026-01-01T00:00:00Z');
  const clock = new ManualClock(T0);
  const config = parseNotifyConfig(
    {
      route: {
        receiver: 'count',
        group_by: ['alertname', 'service'],
        group_wait: '30s',
        group_interval: '5m',
        repeat_interval: '4h',
      },
      receivers: [{ name: 'count' }],
    },
    'bench',
  );
  const times = [];
  const counter = {
    integration: 'count',
    sendResolved: true,
    async send(n) {
      times.push(n.time);
      return { code: 'success' };
    },
  };
  const pipeline = new NotificationPipeline({
    config,
    notifiers: new Map([['count', [counter]]]),
    clock,
    registry: new Registry({ clock }),
    externalURL: 'http://bench',
  });
  const alerts = storm(ALERTS, T0);
  const extra = storm(500, T0 + 7 * 60_000, ALERTS);
  let receiveMs = 0;
  let flushMs = 0;
  const end = T0 + 30_000 + 4 * 300_000;
  for (let minute = 0; clock.now() < end; minute++) {
    let t = performance.now();
    pipeline.receive(minute >= 7 ? [...alerts, ...extra] : alerts);
    if (minute === 0) receiveMs = performance.now() - t;
    t = performance.now();
    clock.advance(Math.min(60_000, end - clock.now()));
    // Deliveries are promises: let them settle as they would between two resends in real time.
    await new Promise((resolve) => setImmediate(resolve));
    flushMs += performance.now() - t;
  }
  pipeline.close();
  // Windows of one group interval, starting at the first flush (t = group_wait).
  const windows = [0, 0, 0, 0];
  for (const time of times) {
    const w = Math.floor((time - T0 - 30_000) / 300_000);
    if (w >= 0 && w < windows.length) windows[w]++;
  }
  return { receiveMs, flushMs, windows, total: times.length };
}

await injectedClockRun(); // warm-up, not counted
const runs = [];
for (let i = 0; i < RUNS; i++) runs.push(await injectedClockRun());
const windows = runs[0].windows;
console.log(
  table(
    ['run', 'receive(10,000) ms', 'flushes ms (16 min simulated)', 'notifications per 5 m window'],
    runs.map((r, i) => [i + 1, r.receiveMs.toFixed(1), r.flushMs.toFixed(1), r.windows.join(', ')]),
    'rrrl',
  ),
);
const maxPerWindow = Math.max(...runs.flatMap((r) => r.windows));
const receiveMedian = median(runs.map((r) => r.receiveMs));
report.check(
  `storm of ${ALERTS} alerts across ${GROUPS} groups: at most ${TARGET} notifications per group interval`,
  maxPerWindow <= TARGET,
  `${maxPerWindow} at most (windows: ${windows.join(', ')}); receive() of 10,000 alerts ${receiveMedian.toFixed(1)} ms median`,
);

// 2. Over HTTP, against the real Alertmanager.
async function listener() {
  const received = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      received.push({ at: performance.now(), group: body.groupKey });
      res.writeHead(200).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    received,
    close: () => new Promise((r) => server.close(r)),
  };
}

const ROUTE = {
  group_by: ['alertname', 'service'],
  group_wait: '1s',
  group_interval: '10s',
  repeat_interval: '1h',
};

async function postStorm(base) {
  const startsAt = new Date().toISOString();
  const batches = [];
  for (let b = 0; b < 10; b++) {
    batches.push(
      JSON.stringify(
        storm(1000, 0, b * 1000).map((a) => ({
          labels: a.labels,
          annotations: a.annotations,
          startsAt,
          generatorURL: a.generatorURL,
        })),
      ),
    );
  }
  const t0 = performance.now();
  for (const body of batches) {
    const res = await fetch(`${base}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${base}: POST /api/v2/alerts answered ${res.status}`);
  }
  return { t0, acceptedMs: performance.now() - t0 };
}

async function httpRun(kind, work) {
  const hook = await listener();
  const dir = mkdtempSync(join(work, `${kind}-`));
  let stop;
  let base;
  if (kind === 'vigil') {
    const file = join(dir, 'vigil.yaml');
    writeFileSync(
      file,
      JSON.stringify({
        notifications: {
          route: { receiver: 'hook', ...ROUTE },
          receivers: [{ name: 'hook', webhook_configs: [{ url: hook.url }] }],
        },
      }),
    );
    const vigil = await startVigil({ env: { VIGIL_CONFIG: file } });
    base = vigil.url;
    stop = () => vigil.close();
  } else {
    const port = await freeTcpPort();
    base = `http://127.0.0.1:${port}`;
    writeFileSync(
      join(dir, 'am.yml'),
      JSON.stringify({
        route: { receiver: 'hook', ...ROUTE },
        receivers: [{ name: 'hook', webhook_configs: [{ url: hook.url }] }],
      }),
    );
    const am = spawn(
      'prometheus-alertmanager',
      [
        `--config.file=${join(dir, 'am.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      { stdio: 'ignore' },
    );
    await until('alertmanager ready', 30_000, async () => (await fetch(`${base}/-/ready`)).ok);
    stop = () => stopProcess(am);
  }
  try {
    const { t0, acceptedMs } = await postStorm(base);
    await until(`${kind}: ${GROUPS} notifications`, 30_000, () => hook.received.length >= GROUPS);
    // Watch one more group interval: no group may be notified twice within 10 s. (Groups fill
    // while the batches arrive, so a group's second notification, 10 s after its first, can
    // carry alerts that came after its first: that is the group interval doing its work.)
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    const byGroup = new Map();
    for (const r of hook.received) byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r.at]);
    let tightest = Number.POSITIVE_INFINITY;
    for (const times of byGroup.values())
      for (let i = 1; i < times.length; i++) tightest = Math.min(tightest, times[i] - times[i - 1]);
    return {
      kind,
      acceptedMs,
      lastMs: hook.received[GROUPS - 1].at - t0,
      groups: byGroup.size,
      notifications: hook.received.length,
      tightestGapMs: tightest,
    };
  } finally {
    await stop();
    await hook.close();
  }
}

const work = mkdtempSync(join(tmpdir(), 'vigil-bench-storm-'));
const http = [];
try {
  for (let i = 0; i < HTTP_RUNS; i++) {
    for (const kind of i % 2 === 0 ? ['vigil', 'alertmanager'] : ['alertmanager', 'vigil'])
      http.push(await httpRun(kind, work));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const med = (kind, key) => median(http.filter((r) => r.kind === kind).map((r) => r[key]));
const of = (kind) => http.filter((r) => r.kind === kind);
const rows = ['vigil', 'alertmanager'].map((kind) => [
  kind,
  med(kind, 'acceptedMs').toFixed(0),
  med(kind, 'lastMs').toFixed(0),
  Math.max(...of(kind).map((r) => r.groups)),
  of(kind)
    .map((r) => r.notifications)
    .join(', '),
  `${(Math.min(...of(kind).map((r) => r.tightestGapMs)) / 1000).toFixed(1)} s`,
]);
console.log(
  table(
    [
      'over HTTP',
      'accept 10,000 alerts ms',
      `until ${GROUPS}th notification ms`,
      'groups',
      'notifications in ~22 s',
      'shortest gap in a group',
    ],
    rows,
    'lrrrrr',
  ),
);
const ratio = med('vigil', 'acceptedMs') / med('alertmanager', 'acceptedMs');
console.log(
  `${HTTP_RUNS} runs each, alternated; medians. vigil/Alertmanager time to accept the storm: ${ratio.toFixed(2)}`,
);
// No PASS/MISS here: the gaps are taken where the webhooks land, so a delivery delayed by the busy
// event loop (the storm being parsed) shortens the gap after it; the exact count per group interval
// is the injected-clock part above.
report.row('alert storm, 10,000 alerts / 50 groups: notifications per group interval', {
  vigil: `${maxPerWindow} max`,
  target: `≤ ${TARGET}`,
  result: maxPerWindow <= TARGET ? 'PASS' : 'MISS',
});
report.row('alert storm over HTTP: time to accept 10,000 alerts (vigil / Alertmanager 0.25)', {
  vigil: `${med('vigil', 'acceptedMs').toFixed(0)} ms`,
  prom: `${med('alertmanager', 'acceptedMs').toFixed(0)} ms (Alertmanager)`,
  result: `ratio ${ratio.toFixed(2)}`,
});
report.data = { runs, http };
report.emit();
