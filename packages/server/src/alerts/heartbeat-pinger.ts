import { type Clock, type Counter, type Registry, redactUrl, urlCredentials } from '@vigil/metrics';
import { background, backgroundFailed } from '../errors/background-tasks.js';

export interface HeartbeatPingerOptions {
  /** The push URL of a dead man's switch: healthchecks.io, Uptime Kuma's push monitor, Cronitor... */
  readonly url: string;
  readonly intervalMs: number;
  readonly clock: Clock;
  readonly registry?: Registry;
  /** Longest wait for one ping. Default: the interval, at most 10 s. */
  readonly timeoutMs?: number;
}

/**
 * The outside half of vigil's dead man's switch: a GET of `heartbeat.url` every interval (what
 * healthchecks.io and Uptime Kuma's push monitors expect), so that a vigil that is down, hung or cut
 * off reaches someone through a service that notices the pings stopped. Each ping and each failure
 * is counted; a failure is logged (the URL redacted) and the next interval pings again.
 */
export class HeartbeatPinger {
  readonly #o: HeartbeatPingerOptions;
  readonly #pings: Counter | undefined;
  readonly #failures: Counter | undefined;
  #stop: (() => void) | undefined;

  constructor(options: HeartbeatPingerOptions) {
    this.#o = options;
    this.#pings = options.registry?.counter({
      name: 'vigil_heartbeat_pings_total',
      help: 'Pings of heartbeat.url (the dead man’s switch), answered or not.',
    });
    this.#failures = options.registry?.counter({
      name: 'vigil_heartbeat_failures_total',
      help: 'Pings of heartbeat.url that failed: no answer in time, a network error, or a status other than 2xx.',
    });
  }

  start(): void {
    this.#stop ??= this.#o.clock.every(this.#o.intervalMs, () =>
      background('pinging heartbeat.url', () => this.ping()),
    );
    background('pinging heartbeat.url', () => this.ping());
  }

  stop(): void {
    this.#stop?.();
    this.#stop = undefined;
  }

  /** One ping; resolves true when it was answered with 2xx. Never rejects. */
  async ping(): Promise<boolean> {
    this.#pings?.inc();
    const { url, authorization } = urlCredentials(this.#o.url);
    try {
      const res = await fetch(url, {
        headers: { 'user-agent': 'vigil', ...(authorization !== undefined && { authorization }) },
        signal: AbortSignal.timeout(this.#o.timeoutMs ?? Math.min(this.#o.intervalMs, 10_000)),
      });
      await res.arrayBuffer();
      if (res.ok) return true;
      throw new Error(`answered ${res.status}`);
    } catch (error) {
      this.#failures?.inc();
      const why = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : '';
      backgroundFailed(
        `pinging ${redactUrl(this.#o.url)}`,
        new Error(`${(error as Error).message}${why ? `: ${why}` : ''}`),
      );
      return false;
    }
  }
}
