import type { Counter, Gauge, Histogram, Registry } from '@vigil/metrics';
import type { Incidents } from './incidents.js';
import type { SeededRandom } from './seeded-random.js';

/**
 * The cache's traffic: 85% of requests ask for one of the 100 items of a working set (each as
 * likely), which fills the seed's cache of 100 entries; the rest ask for an item seen once, which
 * the cache never holds. A warm cache hits 85% of requests, as a working cache of this kind does
 * (seed 001's `cache.hit_rate 0.87`); an empty one hits none, and warms back up as each item of
 * the working set is analysed and kept, in about 3 minutes (1 - e^(-t/74 s)).
 */
const WORKING_SET = 100;
const RECURRING = 0.85;
/**
 * So that the analyses run (the misses) stay about what they were when the cache hit 45% of 0.5
 * requests a second: 0.24 a second while warm, 0.33 on average with the cold starts (0.31 before).
 */
const REQUESTS_PER_S = 1.6;

/** Providers in the order the analyzer tries them: neo_analysis, then the fallbacks. */
const CHAIN = [
  { provider: 'neo_analysis', medianS: 1.4, failure: 0.06 },
  { provider: 'nexus', medianS: 3.2, failure: 0.1 },
  { provider: 'anima', medianS: 5.5, failure: 0.15 },
] as const;
const ERRORS = ['BadRequestError', 'TimeoutError', 'RateLimitError', 'APIConnectionError'];

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
  /** Items of the working set in the cache: it starts warm, as a service's that has been running. */
  #cached = WORKING_SET;

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
    this.#size.set(this.#cached);
  }

  step(from: number, to: number, incidents: Incidents): void {
    const random = this.#random;
    const cold = incidents.get(to, 'cache_cold');
    const slow = incidents.get(to, 'slow_analysis') !== undefined;
    // cache_cold empties the cache once, where it starts; it warms back up over the incident.
    if (cold !== undefined && cold.startedAt > from) this.#cached = 0;
    const requests = random.poisson(REQUESTS_PER_S * ((to - from) / 1000));
    for (let i = 0; i < requests; i++) {
      // Below RECURRING, an item of the working set, each as likely: the cached ones are that share.
      const asked = random.next();
      if (asked < RECURRING * (this.#cached / WORKING_SET)) {
        this.#hits.inc();
        continue;
      }
      this.#misses.inc();
      if (this.#analyse(slow) && asked < RECURRING) this.#cached++;
    }
    this.#size.set(this.#cached);
  }

  /** Runs the analysis down the chain of providers; false when every provider failed. */
  #analyse(slow: boolean): boolean {
    const random = this.#random;
    for (const step of CHAIN) {
      const seconds = Math.min(30, random.logNormal(step.medianS * (slow ? 5 : 1), 0.45));
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
