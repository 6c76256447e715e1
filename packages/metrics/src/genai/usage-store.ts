import { QuantileSketch } from '../sketch/quantile-sketch.js';
import { CellRing } from './cell-ring.js';
import { UsageCell, type UsageSample } from './usage-cell.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Two days of hours: the last 24 hours and the 24 before, for the cost trend. */
export const HOURS_KEPT = 48;
/** A month of days and a few to spare. */
export const DAYS_KEPT = 35;
/** The model (and provider) name calls are recorded under once `maxModels` pairs exist. */
export const OTHER_MODEL = 'other';

export interface ModelUsage {
  readonly hours: CellRing<UsageCell>;
  readonly days: CellRing<UsageCell>;
}

export interface ProviderUsage {
  readonly models: Map<string, ModelUsage>;
  /** Latencies per hour, for percentiles over any span of whole hours (a 24 h p95 merges 24). */
  readonly latency: CellRing<QuantileSketch>;
}

/**
 * Calls summed by provider, model, hour (48 kept) and day (35 kept). Memory is bounded by
 * `maxModels` provider/model pairs × 83 cells of ~150 bytes, plus 48 latency sketches per provider,
 * whatever the call rate.
 */
export class UsageStore {
  readonly providers = new Map<string, ProviderUsage>();
  /** Unix ms of the first call recorded, for rates over less than a full window. */
  first: number | undefined;
  readonly #maxModels: number;
  #pairs = 0;

  constructor(maxModels: number) {
    this.#maxModels = maxModels;
  }

  add(provider: string, model: string, sample: UsageSample, now: number): void {
    this.first ??= now;
    // Past the cap a new provider is `other` too: each provider then holds at most one extra pair.
    if (this.#pairs >= this.#maxModels && !this.providers.has(provider)) provider = OTHER_MODEL;
    let p = this.providers.get(provider);
    if (!p) {
      p = { models: new Map(), latency: new CellRing(HOURS_KEPT, HOUR_MS, () => new QuantileSketch()) };
      this.providers.set(provider, p);
    }
    let m = p.models.get(model);
    if (!m) {
      if (this.#pairs >= this.#maxModels) model = OTHER_MODEL;
      m = p.models.get(model);
      if (!m) {
        m = {
          hours: new CellRing(HOURS_KEPT, HOUR_MS, () => new UsageCell()),
          days: new CellRing(DAYS_KEPT, DAY_MS, () => new UsageCell()),
        };
        p.models.set(model, m);
        this.#pairs++;
      }
    }
    m.hours.at(now).add(sample);
    m.days.at(now).add(sample);
    if (sample.seconds !== undefined) p.latency.at(now).add(sample.seconds);
  }
}

/** The sum of `count` hours ending with the current one, `skip` hours back. */
export function sumHours(m: ModelUsage, now: number, count: number, skip = 0): UsageCell {
  const out = new UsageCell();
  m.hours.forEach(now, count, (cell) => out.merge(cell), skip);
  return out;
}
