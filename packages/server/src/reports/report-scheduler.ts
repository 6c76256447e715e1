import type { Clock } from '@vigil/metrics';
import type { DeliveryResult } from '../alerts/notify/delivery.js';
import type { Notification } from '../alerts/notify/notification.js';
import { background } from '../errors/background-tasks.js';
import type { DocumentFile } from '../store/document-file.js';
import { type Cron, lastCronTime } from '../time/cron.js';
import { reportHtml, reportMarkdown, reportSections, trendImages } from './render-report.js';
import type { Report } from './report.js';
import { reportJson } from './report-json.js';
import { reportSubject } from './report-period.js';

export interface ScheduledReport {
  readonly name: string;
  readonly schedule: Cron;
  /** The IANA time zone whose wall clock the schedule reads. */
  readonly timeZone: string;
  /** The period a report covers; by default, back to the time the schedule fell due before. */
  readonly periodMs: number | undefined;
  readonly receivers: readonly string[];
}

export interface ReportSchedulerOptions {
  readonly reports: readonly ScheduledReport[];
  readonly clock: Clock;
  /** Where the last run of each report is kept, so a restart neither skips nor repeats one. */
  readonly documents: DocumentFile;
  readonly build: (endMs: number, periodMs: number) => Promise<Report>;
  readonly deliver: (
    receiver: string,
    n: Notification,
  ) => Promise<ReadonlyArray<DeliveryResult & { integration: string }>>;
  readonly externalURL: () => string;
  /** How often due times are checked. Default 30 s. */
  readonly tickMs?: number;
  readonly onResult?: (
    report: string,
    receiver: string,
    result: DeliveryResult & { integration: string },
  ) => void;
}

const TASK = 'sending scheduled reports';

/** What reports.db keeps per report: the last due time sent, and the receivers a due time being sent has reached. */
interface Progress {
  readonly lastDue: number;
  readonly partial?: { readonly due: number; readonly receivers: readonly string[] };
}

/**
 * Sends each scheduled report when it falls due, through its receivers' integrations (email as HTML
 * with a text part, Slack as Block Kit sections, webhooks as JSON). The last due time sent is kept in the document
 * file: after a restart a report that fell due while the server was down is sent once, the latest
 * only, and one already sent is not sent again; one a shutdown cut short goes, after the restart, to
 * the receivers it had not reached. A report seen for the first time starts from now.
 */
export class ReportScheduler {
  readonly #o: ReportSchedulerOptions;
  #stop: (() => void) | undefined;
  #running: Promise<void> | undefined;

  constructor(options: ReportSchedulerOptions) {
    this.#o = options;
  }

  /**
   * Runs at every tick. A run that fails (a report's queries time out, reports.db cannot be written)
   * is reported as a background task's failure and the report tried again at the next tick: left
   * to `void`, its rejection was unhandled, which ends the process.
   */
  start(): void {
    this.#stop = this.#o.clock.every(this.#o.tickMs ?? 30_000, () => background(TASK, () => this.run()));
    background(TASK, () => this.run());
  }

  /** Stops the ticks and waits for a run under way (whose failure start() reported). */
  async stop(): Promise<void> {
    this.#stop?.();
    await this.#running?.catch(() => undefined);
  }

  /** Sends what is due; one run at a time. */
  run(): Promise<void> {
    this.#running ??= this.#sendDue().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #sendDue(): Promise<void> {
    const { clock, documents } = this.#o;
    for (const r of this.#o.reports) {
      const now = clock.now();
      const due = lastCronTime(r.schedule, r.timeZone, now);
      if (due === undefined) continue;
      const id = `report:${r.name}`;
      const stored = documents.get(id);
      if (!stored) {
        documents.put(id, now, JSON.stringify({ lastDue: due }));
        continue;
      }
      const progress = JSON.parse(stored.json) as Progress;
      if (due <= progress.lastDue) continue;
      const report = await this.#o.build(
        due,
        r.periodMs ?? due - (lastCronTime(r.schedule, r.timeZone, due - 1) ?? due - 86_400_000),
      );
      const n = this.#notification(r, report, due);
      const reached = new Set(progress.partial?.due === due ? progress.partial.receivers : []);
      for (const receiver of r.receivers) {
        if (reached.has(receiver)) continue;
        const results = await this.#o.deliver(receiver, n);
        for (const result of results) this.#o.onResult?.(r.name, receiver, result);
        // Cut short by a shutdown: the rest goes out after the restart, with the same key, and the
        // receivers it already reached are not sent it twice.
        if (results.some((result) => result.cancelled)) return;
        reached.add(receiver);
        const partial: Progress = { lastDue: progress.lastDue, partial: { due, receivers: [...reached] } };
        documents.put(id, clock.now(), JSON.stringify(partial));
      }
      documents.put(id, clock.now(), JSON.stringify({ lastDue: due } satisfies Progress));
    }
  }

  #notification(r: ScheduledReport, report: Report, due: number): Notification {
    const images = trendImages(report);
    const subject = reportSubject(r.name, report.startMs, report.endMs, r.timeZone);
    return {
      receiver: '',
      groupKey: `report:${r.name}`,
      status: 'firing',
      groupLabels: {},
      alerts: [],
      externalURL: this.#o.externalURL(),
      time: due,
      idempotencyKey: `report:${r.name}:${due}`,
      document: {
        subject,
        text: reportMarkdown(report, r.timeZone),
        html: reportHtml(
          report,
          (section, row) => {
            const image = images.find((i) => i.section === section && i.row === row);
            return image && `cid:${image.cid}`;
          },
          r.timeZone,
        ),
        images: images.map(({ cid, png }) => ({ cid, png })),
        json: JSON.stringify(reportJson(report, r.timeZone)),
        sections: reportSections(report),
      },
    };
  }
}
