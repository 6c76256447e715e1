import type { ExportResult } from '@vigil/metrics/push';
import { type Notification, type Notifier, subject } from './notification.js';

export interface LogNotifierOptions {
  readonly sendResolved: boolean;
  /** Where lines go. Default: standard output. */
  readonly write?: (line: string) => void;
}

/**
 * Writes each notification as one JSON line: the receiver of last resort, and the default with no
 * configuration. A document (a report, a post-mortem) is written as its subject and text.
 */
export class LogNotifier implements Notifier {
  readonly integration = 'log';
  readonly sendResolved: boolean;
  readonly #write: (line: string) => void;

  constructor(options: LogNotifierOptions) {
    this.sendResolved = options.sendResolved;
    this.#write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
  }

  async send(n: Notification): Promise<ExportResult> {
    if (n.document) {
      this.#write(
        JSON.stringify({
          time: new Date(n.time).toISOString(),
          msg: n.document.subject,
          receiver: n.receiver,
          groupKey: n.groupKey,
          text: n.document.text,
        }),
      );
      return { code: 'success' };
    }
    this.#write(
      JSON.stringify({
        time: new Date(n.time).toISOString(),
        msg: subject(n),
        receiver: n.receiver,
        groupKey: n.groupKey,
        status: n.status,
        alerts: n.alerts.map((a) => ({ status: a.status, labels: a.labels, annotations: a.annotations })),
      }),
    );
    return { code: 'success' };
  }
}
