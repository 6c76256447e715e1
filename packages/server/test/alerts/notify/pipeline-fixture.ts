import { ManualClock, Registry } from '@vigil/metrics';
import { parse } from 'yaml';
import type { Alert } from '../../../src/alerts/alert.js';
import type { AlertHistoryEvent, NotificationEvent } from '../../../src/alerts/alert-history-event.js';
import type { DeliveryOptions } from '../../../src/alerts/notify/delivery.js';
import type { GroupObserver } from '../../../src/alerts/notify/group-observer.js';
import type { Notification, Notifier } from '../../../src/alerts/notify/notification.js';
import { NotificationPipeline } from '../../../src/alerts/notify/notification-pipeline.js';
import { parseNotifyConfig } from '../../../src/alerts/notify/notify-config.js';
import { buildNotifiers } from '../../../src/cli/build-notifiers.js';

/** An integration that keeps what it is asked to deliver, so timing tests read the notifications in order. */
export class RecordingNotifier implements Notifier {
  readonly integration = 'record';
  readonly sent: Notification[] = [];
  constructor(readonly sendResolved = true) {}
  async send(n: Notification) {
    this.sent.push(n);
    return { code: 'success' } as const;
  }
}

export const T0 = Date.parse('2026-06-01T12:00:00Z');

/** Lets the promise chains started by timers run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

export function alert(labels: Record<string, string>, startsAt: number, endsAt = 0, annotations = {}): Alert {
  return { labels, annotations, startsAt, endsAt, generatorURL: 'http://vigil/graph' };
}

/** A pipeline from an alertmanager.yml text, every receiver recorded. */
export function pipelineFrom(
  yaml: string,
  options: { dataDir?: string; clock?: ManualClock; observer?: GroupObserver } = {},
) {
  const clock = options.clock ?? new ManualClock(T0);
  const config = parseNotifyConfig(parse(yaml), 'test.yml');
  const recorders = new Map<string, RecordingNotifier>();
  for (const r of config.receivers)
    recorders.set(r.name, new RecordingNotifier(r.integrations[0]?.sendResolved ?? true));
  const events: AlertHistoryEvent[] = [];
  const registry = new Registry({ clock });
  const pipeline = new NotificationPipeline({
    config,
    notifiers: new Map([...recorders].map(([name, n]) => [name, [n]])),
    clock,
    registry,
    events: { record: (e) => events.push(e) },
    externalURL: 'http://vigil.test',
    dataDir: options.dataDir,
    observer: options.observer,
  });
  return {
    clock,
    pipeline,
    events,
    registry,
    sent: (receiver: string) => recorders.get(receiver)!.sent,
    /** Moves time in steps of at most a minute, letting each step's deliveries finish as they would in real time. */
    async advance(ms: number) {
      for (let left = ms; left > 0; left -= 60_000) {
        clock.advance(Math.min(left, 60_000));
        await settle();
      }
    },
  };
}

/**
 * A pipeline from an alertmanager.yml text with its real integrations, as `vigil serve` builds them,
 * keeping every delivery attempt's event. The caller closes it.
 */
export function deliveringPipeline(
  yaml: string,
  delivery: Omit<DeliveryOptions, 'clock' | 'registry' | 'events'>,
  options: { dataDir?: string; clock?: ManualClock } = {},
) {
  const config = parseNotifyConfig(parse(yaml), 'test.yml');
  const clock = options.clock ?? new ManualClock(T0);
  const registry = new Registry({ clock });
  const events: NotificationEvent[] = [];
  const pipeline = new NotificationPipeline({
    config,
    notifiers: buildNotifiers(config, clock),
    clock,
    registry,
    events: { record: (e) => e.kind === 'notification' && events.push(e) },
    externalURL: 'http://vigil.test',
    delivery,
    dataDir: options.dataDir,
  });
  return { pipeline, clock, registry, events };
}
