import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Counter, ManualClock, Registry } from '@vigil/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { NotificationPipeline } from '../../src/alerts/notify/notification-pipeline.js';
import { parseNotifyConfig } from '../../src/alerts/notify/notify-config.js';
import { buildNotifiers } from '../../src/cli/build-notifiers.js';
import { countBackgroundFailures } from '../../src/errors/background-tasks.js';
import { PromqlEngine } from '../../src/query/promql-engine.js';
import { buildReport } from '../../src/reports/build-report.js';
import { reportSubject } from '../../src/reports/report-period.js';
import { ReportScheduler } from '../../src/reports/report-scheduler.js';
import { DocumentFile } from '../../src/store/document-file.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';
import { type Cron, parseCron } from '../../src/time/cron.js';
import { listen } from '../alerts/notify/http-listener.js';
import { smtpReceiver } from '../alerts/notify/smtp-receiver.js';

let dir: string;
let smtp: Awaited<ReturnType<typeof smtpReceiver>>;
let slack: Awaited<ReturnType<typeof listen>>;
const mails = () => smtp.delivered.map((d) => d.mail);
/** The first line of each report received: its period. */
const sent = () => mails().map((m) => (m.text ?? '').split('\n')[0]);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-report-schedule-'));
  smtp = await smtpReceiver({ starttls: false });
  slack = await listen();
});
afterAll(async () => {
  await slack.close();
  await smtp.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A scheduler as `vigil serve` runs it: the real email integration, the report over a real (empty)
 * store; with `webhook`, a second receiver `hooks` posting there.
 */
function scheduler(
  clock: ManualClock,
  store: SqliteStore,
  documents: DocumentFile,
  webhook?: string,
  report: { schedule: string; periodMs: number | undefined } = {
    schedule: 'daily 09:00',
    periodMs: 86_400_000,
  },
) {
  const config = parseNotifyConfig(
    parse(`
global: { smtp_smarthost: "127.0.0.1:${smtp.port}", smtp_from: vigil@example.test, smtp_require_tls: false }
route: { receiver: ops }
receivers:
  - name: ops
    email_configs: [{ to: ops@example.test }]
    slack_configs: [{ api_url: "${slack.url}/hook", channel: "#ops" }]
  - name: hooks
    webhook_configs: [{ url: "${webhook ?? 'http://127.0.0.1:9/unused'}" }]
`),
    'test.yml',
  );
  const pipeline = new NotificationPipeline({
    config,
    notifiers: buildNotifiers(config, clock),
    clock,
    registry: new Registry({ clock }),
    externalURL: 'http://vigil.test',
  });
  const s = new ReportScheduler({
    reports: [
      {
        name: 'daily-ops',
        schedule: parseCron(report.schedule) as Cron,
        timeZone: 'Europe/Paris',
        periodMs: report.periodMs,
        receivers: webhook ? ['ops', 'hooks'] : ['ops'],
      },
    ],
    clock,
    documents,
    build: (end, period) =>
      buildReport(
        // The engine keeps real time: its deadline must not see the test move the clock.
        { engine: new PromqlEngine({ store }), incidents: [], alertEvents: () => [] },
        end,
        period,
      ),
    deliver: (receiver, n) => pipeline.deliverTo(receiver, n),
    externalURL: () => 'http://vigil.test',
    tickMs: 60_000,
  });
  return { s, close: () => pipeline.close() };
}

describe('scheduled reports', () => {
  it('send daily at 09:00 Paris time across the spring daylight-saving change, once each, and once after a restart', async () => {
    // Friday 2026-03-27 06:00 UTC; Paris moves from UTC+1 to UTC+2 on Sunday 29 March at 01:00 UTC.
    const clock = new ManualClock(Date.parse('2026-03-27T06:00:00Z'));
    const store = await openSqliteStore({ dir: join(dir, 'data'), clock });
    // Speech-to-text calls every 15 minutes over the days the first reports cover, busier each afternoon.
    const from = Date.parse('2026-03-25T00:00:00Z');
    const times = Array.from({ length: 4 * 96 }, (_, i) => from + i * 900_000);
    let total = 0;
    await store.append([
      {
        labels: {
          __name__: 'latency_operations_total',
          operation: 'stt',
          provider: 'deepgram',
          status: 'success',
        },
        timestamps: times,
        values: times.map((t) => (total += new Date(t).getUTCHours() >= 12 ? 60 : 15)),
      },
    ]);
    let documents = new DocumentFile(join(dir, 'reports.db'));
    let run = scheduler(clock, store, documents);
    run.s.start();
    const until = async (iso: string) => {
      while (clock.now() < Date.parse(iso)) {
        clock.advance(5 * 60_000);
        await run.s.run();
      }
    };
    await until('2026-03-28T12:00:00Z');
    // 09:00 in Paris is 08:00 UTC before the change; the run that fell due before the scheduler
    // first started (the 26th's) is not sent.
    expect(sent()).toEqual([
      '# vigil report: 2026-03-26 09:00 to 2026-03-27 09:00 UTC+1',
      '# vigil report: 2026-03-27 09:00 to 2026-03-28 09:00 UTC+1',
    ]);
    expect(mails()[1]!.subject).toBe('vigil report daily-ops: 2026-03-27 to 2026-03-28');
    expect(String(mails()[1]!.html)).toContain('<h2 style="font-size:1.1em;margin-top:1.5em">Incidents</h2>');
    // The traffic row's trend rides along as an inline PNG the HTML shows by its Content-ID.
    const image = mails()[1]!.attachments.find((a) => a.cid === 'trend-traffic-0@vigil')!;
    expect(image.contentType).toBe('image/png');
    expect(image.content.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect([image.content.readUInt32BE(16), image.content.readUInt32BE(20)]).toEqual([120, 28]);
    expect(String(mails()[1]!.html)).toContain(
      '<img src="cid:trend-traffic-0@vigil" width="120" height="28"',
    );
    // Slack gets the same report as Block Kit: the subject as header, a section per report section.
    await slack.waitFor(2);
    const message = JSON.parse(slack.received[1]!.body);
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'vigil report daily-ops: 2026-03-27 to 2026-03-28', emoji: true },
    });
    const incidents = message.blocks.find((b: { text?: { text: string } }) =>
      b.text?.text.includes('Incidents'),
    );
    expect(incidents.type).toBe('section');
    expect(incidents.fields[0].text).toMatch(/^\*Incidents\*\nOpened: 0/);
    // A section with nothing in it says why; a report is not an alert, so no section has a severity.
    const alerts = message.blocks.find((b: { text?: { text: string } }) =>
      b.text?.text.includes('Top alerts by firing time'),
    );
    expect(alerts).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '*Top alerts by firing time*\nNo alert fired in this period.' },
    });
    expect(JSON.stringify(message.blocks)).not.toMatch(/\[(INFO|WARNING|CRITICAL|RESOLVED)\]/);

    await until('2026-03-29T12:00:00Z');
    // After the change 09:00 in Paris is 07:00 UTC. The period reads as Paris's clocks show it, each
    // end with its offset across the change: 24 hours back from 09:00 is 08:00 the day before.
    expect(sent().at(-1)).toBe('# vigil report: 2026-03-28 08:00 UTC+1 to 2026-03-29 09:00 UTC+2');

    // Down from 12:00 on the 29th to 10:00 on the 31st: the 30th's and 31st's reports fell due meanwhile.
    await run.s.stop();
    run.close();
    documents.close();
    clock.advance(Date.parse('2026-03-31T08:00:00Z') - clock.now());
    documents = new DocumentFile(join(dir, 'reports.db'));
    run = scheduler(clock, store, documents);
    run.s.start();
    await run.s.run();
    await until('2026-03-31T12:00:00Z');
    expect(sent()).toEqual([
      '# vigil report: 2026-03-26 09:00 to 2026-03-27 09:00 UTC+1',
      '# vigil report: 2026-03-27 09:00 to 2026-03-28 09:00 UTC+1',
      '# vigil report: 2026-03-28 08:00 UTC+1 to 2026-03-29 09:00 UTC+2',
      '# vigil report: 2026-03-30 09:00 to 2026-03-31 09:00 UTC+2',
    ]);
    await run.s.stop();
    run.close();
    documents.close();
    await store.close();
  }, 60_000);

  it('send a report due in the hour the autumn night shows twice once, covering the 25 hours back to the run before', async () => {
    // Paris shows 02:00-03:00 twice on Sunday 2026-10-25 (UTC+2, then UTC+1 from 01:00 UTC).
    const clock = new ManualClock(Date.parse('2026-10-23T12:00:00Z'));
    const store = await openSqliteStore({ dir: join(dir, 'autumn'), clock });
    const documents = new DocumentFile(join(dir, 'autumn-reports.db'));
    const before = mails().length;
    const run = scheduler(clock, store, documents, undefined, {
      schedule: '30 2 * * *',
      periodMs: undefined,
    });
    run.s.start();
    while (clock.now() < Date.parse('2026-10-26T12:00:00Z')) {
      clock.advance(5 * 60_000);
      await run.s.run();
    }
    expect(sent().slice(before)).toEqual([
      // 02:30 in Paris: 00:30 UTC in summer time, 01:30 UTC in winter time; on the night of the
      // change, at the second 02:30 only, 25 hours after the run before.
      '# vigil report: 2026-10-23 02:30 to 2026-10-24 02:30 UTC+2',
      '# vigil report: 2026-10-24 02:30 UTC+2 to 2026-10-25 02:30 UTC+1',
      '# vigil report: 2026-10-25 02:30 to 2026-10-26 02:30 UTC+1',
    ]);
    await run.s.stop();
    run.close();
    documents.close();
    await store.close();
  }, 60_000);

  it('after a shutdown cut a report short, sends it to the receivers it had not reached, with the same key, and to no other', async () => {
    const clock = new ManualClock(Date.parse('2026-05-04T06:00:00Z'));
    const store = await openSqliteStore({ dir: join(dir, 'data-cut'), clock });
    let answer = 500;
    const hooks = await listen(() => answer);
    let documents = new DocumentFile(join(dir, 'reports-cut.db'));
    let run = scheduler(clock, store, documents, `${hooks.url}/report`);
    const mailsBefore = mails().length;
    try {
      run.s.start();
      await run.s.run();
      clock.advance(2 * 3_600_000); // 08:00 UTC, 10:00 in Paris: the day's report is due.
      await run.s.run(); // the run the advance's first tick started, which saw nothing due yet
      const sending = run.s.run();
      await hooks.waitFor(1); // ops got it; hooks answered 500 and waits for its retry
      expect(mails()).toHaveLength(mailsBefore + 1);
      const stopped = run.s.stop();
      await run.close();
      await stopped;
      await sending;
      documents.close();

      answer = 200;
      documents = new DocumentFile(join(dir, 'reports-cut.db'));
      run = scheduler(clock, store, documents, `${hooks.url}/report`);
      await run.s.run();
      expect(hooks.received).toHaveLength(2);
      const [first, again] = hooks.received.map((r) => r.headers['idempotency-key']);
      expect(again).toBe(first);
      expect(mails()).toHaveLength(mailsBefore + 1);

      // Sent in full: the next run sends nothing until the next day's report falls due.
      await run.s.run();
      expect(hooks.received).toHaveLength(2);
      clock.advance(86_400_000);
      await run.s.run();
      expect(hooks.received).toHaveLength(3);
      expect(mails()).toHaveLength(mailsBefore + 2);
    } finally {
      await run.s.stop();
      await run.close();
      documents.close();
      await store.close();
      await hooks.close();
    }
  }, 60_000);
});

describe('the subject of a scheduled report', () => {
  it('names the dates of a day or more, and the times of less, which one date cannot tell apart', () => {
    const at = (iso: string) => Date.parse(iso);
    expect(reportSubject('daily-ops', at('2026-03-27T08:00:00Z'), at('2026-03-28T08:00:00Z'), 'UTC')).toBe(
      'vigil report daily-ops: 2026-03-27 to 2026-03-28',
    );
    // Every hour's report read "2026-12-08 to 2026-12-08" before.
    expect(reportSubject('hourly', at('2026-12-08T00:14:00Z'), at('2026-12-08T01:14:00Z'), 'UTC')).toBe(
      'vigil report hourly: 2026-12-08 00:14 to 01:14 UTC',
    );
    expect(reportSubject('night', at('2026-12-07T18:00:00Z'), at('2026-12-08T06:00:00Z'), 'UTC')).toBe(
      'vigil report night: 2026-12-07 18:00 to 2026-12-08 06:00 UTC',
    );
  });

  it("names them as the clocks of the schedule's time zone show them", () => {
    const at = (iso: string) => Date.parse(iso);
    // Los Angeles' evening of the 7th is the 8th in UTC: the dates are Los Angeles'.
    expect(
      reportSubject('daily', at('2026-12-07T02:00:00Z'), at('2026-12-08T02:00:00Z'), 'America/Los_Angeles'),
    ).toBe('vigil report daily: 2026-12-06 to 2026-12-07');
    expect(
      reportSubject('hourly', at('2026-12-08T00:14:00Z'), at('2026-12-08T01:14:00Z'), 'Europe/Paris'),
    ).toBe('vigil report hourly: 2026-12-08 01:14 to 02:14 UTC+1');
    expect(
      reportSubject('hourly', at('2026-12-08T00:14:00Z'), at('2026-12-08T01:14:00Z'), 'Asia/Kolkata'),
    ).toBe('vigil report hourly: 2026-12-08 05:44 to 06:44 UTC+5:30');
    // The hour Paris's clocks go back: 02:30 is shown twice.
    expect(
      reportSubject('hourly', at('2026-10-25T00:30:00Z'), at('2026-10-25T01:30:00Z'), 'Europe/Paris'),
    ).toBe('vigil report hourly: 2026-10-25 02:30 UTC+2 to 2026-10-25 02:30 UTC+1');
    expect(
      reportSubject('hourly', at('2026-12-08T00:14:00Z'), at('2026-12-08T01:14:00Z'), 'America/New_York'),
    ).toBe('vigil report hourly: 2026-12-07 19:14 to 20:14 UTC-5');
  });
});

describe('a report that cannot be built', () => {
  it('is reported as a failed background task and tried again at the next tick, without an unhandled rejection', async () => {
    const clock = new ManualClock(Date.parse('2026-03-27T06:00:00Z'));
    const registry = new Registry({ clock });
    countBackgroundFailures(registry);
    const documents = new DocumentFile(join(dir, 'reports-failing.db'));
    let builds = 0;
    const s = new ReportScheduler({
      reports: [
        {
          name: 'daily-ops',
          schedule: parseCron('daily 09:00') as Cron,
          timeZone: 'Europe/Paris',
          periodMs: 86_400_000,
          receivers: ['ops'],
        },
      ],
      clock,
      documents,
      build: async () => {
        builds++;
        throw new Error('query timed out');
      },
      deliver: async () => [],
      externalURL: () => 'http://vigil.test',
      tickMs: 60_000,
    });
    try {
      s.start();
      // The first run notes the report, due from now on.
      await s.run();
      clock.advance(2 * 3_600_000 - 60_000);
      await s.run();
      // The tick at 08:00 UTC, 09:00 in Paris: the report falls due, and its build fails.
      clock.advance(60_000);
      await expect.poll(() => builds).toBe(1);
      const failures = registry.getMetric('vigil_background_errors_total') as Counter;
      await expect.poll(() => failures.get({ task: 'sending scheduled reports' })).toBe(1);
      clock.advance(60_000);
      await expect.poll(() => builds).toBe(2);
      await s.stop();
    } finally {
      documents.close();
    }
  });
});
