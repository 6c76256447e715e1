import type { Alert } from '../alert.js';
import { fingerprint } from './fingerprint.js';

/** An alert as the pipeline keeps it: Alertmanager's `types.Alert`, times in Unix ms. */
export interface StoredAlert extends Alert {
  readonly fingerprint: string;
  /** When the pipeline last heard of it; the younger of two versions wins a merge. */
  readonly updatedAt: number;
  /** True when `endsAt` was not sent and is now + resolve_timeout. */
  readonly timeout: boolean;
}

export function isResolved(alert: Alert, now: number): boolean {
  return alert.endsAt <= now;
}

/**
 * The alert as its sender last sent it, to pass on to another Alertmanager: with the `endsAt` the
 * sender set (a firing rule's 4 × max(evaluation interval, resend delay) ahead, a resolved alert's
 * end), or none when it sent none, so the receiving side applies its own resolve_timeout.
 */
export function asSent(alert: StoredAlert, now: number): Alert {
  return {
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: alert.startsAt,
    endsAt: alert.timeout && !isResolved(alert, now) ? 0 : alert.endsAt,
    generatorURL: alert.generatorURL,
  };
}

/**
 * The alerts the pipeline knows, by fingerprint, merged as Alertmanager's memory provider does: a
 * new version that overlaps the old one's activity keeps the earliest start, and an explicit end
 * beats a timeout. Resolved alerts stay until `gc` (Alertmanager keeps them for its 30-minute GC
 * cycle) so the API and inhibition see them settle.
 */
export class AlertStore {
  readonly #alerts = new Map<string, StoredAlert>();
  readonly #resolveTimeoutMs: number;
  #version = 0;

  constructor(resolveTimeoutMs: number) {
    this.#resolveTimeoutMs = resolveTimeoutMs;
  }

  /** Changes whenever an alert is added, changed or removed (inhibition caches on it). */
  get version(): number {
    return this.#version;
  }

  put(alert: Alert, now: number): StoredAlert {
    const startsAt = alert.startsAt > 0 ? alert.startsAt : now;
    const timeout = !(alert.endsAt > 0);
    let next: StoredAlert = {
      labels: alert.labels,
      annotations: alert.annotations,
      startsAt,
      endsAt: timeout ? now + this.#resolveTimeoutMs : alert.endsAt,
      generatorURL: alert.generatorURL,
      fingerprint: fingerprint(alert.labels),
      updatedAt: now,
      timeout,
    };
    const old = this.#alerts.get(next.fingerprint);
    if (
      old &&
      ((next.endsAt > old.startsAt && next.endsAt < old.endsAt) ||
        (next.startsAt > old.startsAt && next.startsAt < old.endsAt))
    ) {
      next = merge(old, next, now);
    }
    this.#alerts.set(next.fingerprint, next);
    this.#version++;
    return next;
  }

  get(fp: string): StoredAlert | undefined {
    return this.#alerts.get(fp);
  }

  list(): IterableIterator<StoredAlert> {
    return this.#alerts.values();
  }

  get size(): number {
    return this.#alerts.size;
  }

  /** Forgets alerts resolved before `now`. */
  gc(now: number): void {
    for (const [fp, alert] of this.#alerts) {
      if (isResolved(alert, now)) {
        this.#alerts.delete(fp);
        this.#version++;
      }
    }
  }
}

/** Alertmanager's `Alert.Merge`, `next` being the younger version. */
function merge(old: StoredAlert, next: StoredAlert, now: number): StoredAlert {
  let startsAt = next.startsAt;
  let endsAt = next.endsAt;
  if (old.startsAt < next.startsAt) startsAt = old.startsAt;
  if (isResolved(next, now)) {
    if (isResolved(old, now) && old.endsAt > next.endsAt) endsAt = old.endsAt;
  } else if (old.endsAt > next.endsAt && !old.timeout) {
    endsAt = old.endsAt;
  }
  return { ...next, startsAt, endsAt };
}
