import type { Counter, Gauge, Histogram, Registry } from '@vigil/metrics';
import type { Incidents } from './incidents.js';
import type { SeededRandom } from './seeded-random.js';

const CACHE_LIMIT = 100;

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
  #cached = 0;

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
    const cold = incidents.get(to, 'cache_cold') !== undefined;
    const slow = incidents.get(to, 'slow_analysis') !== undefined;
    if (cold && this.#cached > 0) this.#cached = 0;
    const requests = random.poisson(0.5 * ((to - from) / 1000));
    for (let i = 0; i < requests; i++) {
      if (random.chance(cold ? 0.08 : 0.45) && this.#cached > 0) {
        this.#hits.inc();
        continue;
      }
      this.#misses.inc();
      this.#analyse(slow);
    }
    this.#size.set(this.#cached);
  }

  #analyse(slow: boolean): void {
    const random = this.#random;
    for (const step of CHAIN) {
      const seconds = Math.min(30, random.logNormal(step.medianS * (slow ? 5 : 1), 0.45));
      if (random.chance(step.failure * (slow ? 2 : 1))) {
        this.#failure.inc({ provider: step.provider, error_type: random.pick(ERRORS) });
        continue;
      }
      this.#duration.observe({ provider: step.provider }, seconds);
      this.#success.inc({ provider: step.provider });
      this.#cached = Math.min(CACHE_LIMIT, this.#cached + 1);
      return;
    }
  }
}
