import type { Clock, Registry } from '@vigil/metrics';
import { HealthMonitor } from '@vigil/metrics/health';
import type { Incidents } from './incidents.js';
import { PROVIDERS, providerDown } from './providers.js';
import type { SeededRandom } from './seeded-random.js';

/** Health checks every 10 s: an outage of one minute shows as about six failed runs. */
const INTERVAL_MS = 10_000;
/** What a provider that is down answers its health check in: a load balancer's quick 503. */
const FAILED_MS = 35;

/**
 * The orchestrator seed's ProviderHealthMonitor over the simulated providers, through the library's
 * HealthMonitor: `vigil_provider_up{provider}`, uptime ratios, response times, and the overall
 * healthy / degraded / unhealthy status. The checks are synchronous reads of the simulation, so a
 * backfill stepping through a day gets the same answers a live run would.
 */
export function providerHealth(
  registry: Registry,
  clock: Clock,
  incidents: Incidents,
  random: SeededRandom,
): HealthMonitor {
  // The checks read the simulation and take no time themselves, so each reports the response time
  // of the request it stands for: the provider's simulated latency, or a quick 503 while it is down.
  // (Timed by the function, every run read 0 or 1 ms: a chart of noise.)
  const check = (provider: string) => () => {
    const now = clock.now();
    if (providerDown(incidents, now) === provider)
      return { ok: false, error: `${provider}: HTTP 503 Service Unavailable`, responseTimeMs: FAILED_MS };
    const latency = Math.round(random.logNormal(180, 0.4));
    return { ok: true, details: { latency_ms: latency }, responseTimeMs: latency };
  };
  return new HealthMonitor({
    registry,
    clock,
    checks: [
      ...PROVIDERS.map((name) => ({
        name,
        kind: 'provider' as const,
        check: check(name),
        intervalMs: INTERVAL_MS,
        apiKeyEnv: false as const,
      })),
      { name: 'salesforce', check: () => true, intervalMs: INTERVAL_MS, critical: false },
    ],
  });
}
