import type { Gauge } from '../core/gauge.js';
import type { Registry } from '../core/registry.js';
import type { CheckResult } from './health-check.js';
import type { CheckKind } from './health-status.js';
import type { UptimeBuckets } from './uptime-buckets.js';

interface KindGauges {
  readonly up: Gauge;
  readonly uptime: Gauge;
  readonly responseTime: Gauge;
}

/**
 * `<prefix>_provider_up{provider}`, `<prefix>_provider_uptime_ratio{provider,window="1d|30d"}` and
 * `<prefix>_provider_response_time_seconds{provider}` (CONVENTIONS.md, Uptime Kuma's `window`), and
 * the same with `dependency`. Set after each run, not at collection, so that several monitors can
 * share one registry: a gauge's `collect` callback belongs to whoever registered it first.
 */
export class HealthGauges {
  readonly #registry: Registry;
  readonly #prefix: string;
  readonly #byKind = new Map<CheckKind, KindGauges>();

  constructor(registry: Registry, prefix: string) {
    this.#registry = registry;
    this.#prefix = prefix;
  }

  update(kind: CheckKind, name: string, last: CheckResult, buckets: UptimeBuckets, now: number): void {
    const gauges = this.#gauges(kind);
    const label = { [kind]: name };
    gauges.up.set(label, last.ok ? 1 : 0);
    gauges.responseTime.set(label, last.responseTimeMs / 1000);
    for (const [window, w] of [
      ['1d', buckets.day(now)],
      ['30d', buckets.month(now)],
    ] as const) {
      if (w.up + w.down > 0) gauges.uptime.set({ ...label, window }, w.up / (w.up + w.down));
    }
  }

  remove(kind: CheckKind, name: string): void {
    const gauges = this.#byKind.get(kind);
    if (gauges) for (const gauge of Object.values(gauges)) gauge.remove(name);
  }

  #gauges(kind: CheckKind): KindGauges {
    let gauges = this.#byKind.get(kind);
    if (gauges) return gauges;
    const registry = this.#registry;
    const base = `${this.#prefix}_${kind}`;
    gauges = {
      up: registry.gauge({
        name: `${base}_up`,
        help: `Whether the last health check of the ${kind} succeeded (1) or not (0).`,
        labelNames: [kind],
      }),
      uptime: registry.gauge({
        name: `${base}_uptime_ratio`,
        help: `Share of successful health checks of the ${kind} over the window (1d by minute, 30d by hour).`,
        labelNames: [kind, 'window'],
      }),
      responseTime: registry.gauge({
        name: `${base}_response_time_seconds`,
        help: `Duration of the last health check of the ${kind}.`,
        labelNames: [kind],
        unit: 'seconds',
      }),
    };
    this.#byKind.set(kind, gauges);
    return gauges;
  }
}
