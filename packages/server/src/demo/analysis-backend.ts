import type { Counter, Gauge, Histogram, Registry } from '@vigil/metrics';
import type { Incidents } from './incidents.js';
import type { SeededRandom } from './seeded-random.js';

/**
 * The cache's traffic: 48% of requests analyse again one of a few sessions still going on, the
 * rest a session seen once. The cache keeps an analysis until it has gone unused for 90 s, and at
 * most the seed's 100 (the least recently used goes first): warm, it holds the active sessions and
 * the one-off ones of the last 90 s, 40 to 90, and hits about 48% of requests, within the seed's
 * objectives (a hit rate of 40-50%, a cache under 100). 1.2 requests a second make a 1-minute hit
 * ratio (about 54 requests) steady enough that an emptied cache's stands out of an anomaly band
 * with room to spare (docs/demo.md); every miss is an analysis, 0.62 a second warm.
 */
const REQUESTS_PER_S = 1.2;
const REPEATED = 0.48;
const ACTIVE_SESSIONS = 8;
const CACHE_LIMIT = 100;
const IDLE_MS = 90_000;
/**
 * cache_cold is an eviction storm: for its first 2.25 minutes the cache is emptied every second
 * (under memory pressure, say), so it hits nothing and every request is analysed; then the active
 * sessions, analysed again, are kept, and it hits as before within about half a minute. Long enough
 * for the seed's LowCacheHitRate (its 2-minute ratio under 20% for 1 minute), short enough that an
 * incident every 19 minutes is not part of the usual hit ratio (docs/demo.md).
 */
const STORM_MS = 135_000;

/**
 * Providers in the order the analyzer tries them: neo_analysis, then the fallbacks. neo_analysis's
 * p95 is about 2 s, the seed's objective. An analysis sees a failure 3.4% of the time, within the
 * seed's error rate objective (under 5%), and twice as often while analyses are slow.
 */
const CHAIN = [
  { provider: 'neo_analysis', medianS: 0.95, failure: 0.03 },
  { provider: 'nexus', medianS: 3.2, failure: 0.1 },
  { provider: 'anima', medianS: 5.5, failure: 0.15 },
] as const;
const ERRORS = ['BadRequestError', 'TimeoutError', 'RateLimitError', 'APIConnectionError'];
/** How much longer analyses take during slow_analysis: neo_analysis's p95 about 14 s, over 10 s. */
const SLOW = 7;

/**
 * The analysis-backend seed (memory analyzer, "Phase 3"): its prometheus_client metrics under their
 * exact names, labels and buckets, so the seed's PromQL queries and alert rules run unchanged.
 */
export class AnalysisBackend {
  readonly #random: SeededRandom;
  readonly #success: Counter;
  readonly #failure: Counter;
  readonly #hits: Counter;
  readonly #misses: Counter;
  readonly #size: Gauge;
  readonly #duration: Histogram;
  /** Session → when its analysis was last used, least recently used first. */
  readonly #cache = new Map<number, number>();
  /** The next session seen once (the active ones are 0 to ACTIVE_SESSIONS - 1). */
  #nextSession = ACTIVE_SESSIONS;
  #started = false;

  constructor(registry: Registry, random: SeededRandom) {
    this.#random = random;
    this.#success = registry.counter({
      name: 'memory_analysis_success_total',
      help: "Nombre total d'analyses réussies",
      labelNames: ['provider'],
    });
    this.#failure = registry.counter({
      name: 'memory_analysis_failure_total',
      help: "Nombre total d'analyses échouées",
      labelNames: ['provider', 'error_type'],
    });
    this.#hits = registry.counter({
      name: 'memory_analysis_cache_hits_total',
      help: 'Nombre total de cache hits',
    });
    this.#misses = registry.counter({
      name: 'memory_analysis_cache_misses_total',
      help: 'Nombre total de cache misses',
    });
    this.#size = registry.gauge({
      name: 'memory_analysis_cache_size',
      help: 'Taille actuelle du cache in-memory',
    });
    this.#duration = registry.histogram({
      name: 'memory_analysis_duration_seconds',
      help: 'Durée des analyses mémoire',
      labelNames: ['provider'],
      buckets: [0.5, 1.0, 2.0, 4.0, 6.0, 10.0, 15.0, 20.0, 30.0],
    });
    this.#size.set(0);
  }

  step(from: number, to: number, incidents: Incidents): void {
    const random = this.#random;
    const cache = this.#cache;
    // It starts warm, with the active sessions' analyses, as a service that has been running.
    if (!this.#started) for (let s = 0; s < ACTIVE_SESSIONS; s++) cache.set(s, from);
    this.#started = true;
    const cold = incidents.get(to, 'cache_cold');
    const slow = incidents.get(to, 'slow_analysis') !== undefined;
    if (cold !== undefined && to - cold.startedAt < STORM_MS) cache.clear();
    for (const [session, used] of cache) {
      if (used > to - IDLE_MS) break;
      cache.delete(session);
    }
    const requests = random.poisson(REQUESTS_PER_S * ((to - from) / 1000));
    for (let i = 0; i < requests; i++) {
      const session = random.chance(REPEATED) ? random.int(0, ACTIVE_SESSIONS - 1) : this.#nextSession++;
      if (cache.delete(session)) {
        this.#hits.inc();
        cache.set(session, to);
        continue;
      }
      this.#misses.inc();
      if (!this.#analyse(slow)) continue;
      cache.set(session, to);
      if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    }
    this.#size.set(cache.size);
  }

  /** Runs the analysis down the chain of providers; false when every provider failed. */
  #analyse(slow: boolean): boolean {
    const random = this.#random;
    for (const step of CHAIN) {
      const seconds = Math.min(30, random.logNormal(step.medianS * (slow ? SLOW : 1), 0.45));
      if (random.chance(step.failure * (slow ? 2 : 1))) {
        this.#failure.inc({ provider: step.provider, error_type: random.pick(ERRORS) });
        continue;
      }
      this.#duration.observe({ provider: step.provider }, seconds);
      this.#success.inc({ provider: step.provider });
      return true;
    }
    return false;
  }
}
