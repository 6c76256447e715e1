import type { Clock } from '../base/clock.js';
import type { Registry } from '../core/registry.js';
import { type HttpRequest, HttpTransport } from './http-transport.js';
import { type PushOptions, resolveName } from './push-options.js';
import { PushStats } from './push-stats.js';
import { RetryingTransport } from './retrying-transport.js';

export interface HttpPipeline {
  readonly clock: Clock;
  readonly stats: PushStats;
  readonly transport: RetryingTransport<HttpRequest>;
}

/** What every HTTP reporter sends through: its clock, its self-metrics, and the one retrying transport. */
export function httpPipeline(registry: Registry, options: PushOptions, kind: string): HttpPipeline {
  const clock = options.clock ?? registry.clock;
  const stats = new PushStats(registry, resolveName(options.name, kind));
  const transport = new RetryingTransport(new HttpTransport(clock), {
    clock,
    stats,
    timeoutMs: options.timeoutMs,
    retry: options.retry,
  });
  return { clock, stats, transport };
}
