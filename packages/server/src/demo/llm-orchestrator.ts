import type { Registry } from '@vigil/metrics';
import { GenAiMetrics, PriceTable } from '@vigil/metrics/genai';
import type { Incidents } from './incidents.js';
import { MODELS, PRICES, providerDown, type SimulatedModel } from './providers.js';
import type { SeededRandom } from './seeded-random.js';

const TOTAL_WEIGHT = MODELS.reduce((sum, m) => sum + m.weight, 0);

/**
 * The LLM-orchestrator seed: conversations send messages to a model, which answers after a
 * log-normal latency, or fails (rate limit, timeout, API error); a failed call falls back to a
 * model of another provider. Calls, tokens and cost (priced by a versioned PriceTable) go through
 * GenAiMetrics, with the conversation as the session whose cost is kept.
 */
export class LlmOrchestrator {
  readonly genai: GenAiMetrics;
  readonly #random: SeededRandom;
  readonly #conversations: string[] = [];
  #nextConversation = 1;

  constructor(registry: Registry, random: SeededRandom) {
    this.genai = new GenAiMetrics({ registry, prices: new PriceTable(PRICES) });
    this.#random = random;
  }

  step(from: number, to: number, incidents: Incidents): void {
    const random = this.#random;
    const seconds = (to - from) / 1000;
    const down = providerDown(incidents, to);
    if (this.#conversations.length < 4 || random.chance(seconds / 20)) {
      this.#conversations.push(`conv-${String(this.#nextConversation++).padStart(5, '0')}`);
    }
    if (this.#conversations.length > 12 || random.chance(seconds / 40)) this.#conversations.shift();
    const calls = random.poisson(1.6 * seconds);
    for (let i = 0; i < calls; i++) {
      const sessionId = random.pick(this.#conversations);
      let model = this.#pick();
      // At most one fallback, to another provider, as the seed's orchestrator does.
      if (!this.#call(model, down, sessionId)) {
        do model = this.#pick();
        while (model.provider === down);
        this.#call(model, down, sessionId);
      }
    }
  }

  #pick(): SimulatedModel {
    let r = this.#random.next() * TOTAL_WEIGHT;
    for (const m of MODELS) {
      r -= m.weight;
      if (r < 0) return m;
    }
    return MODELS[MODELS.length - 1]!;
  }

  /** One call; false when it failed. */
  #call(model: SimulatedModel, down: string | undefined, sessionId: string): boolean {
    const random = this.#random;
    const inputTokens = Math.round(random.logNormal(900, 0.6));
    const base = { provider: model.provider, model: model.model, sessionId, inputTokens };
    const r = random.next();
    let error: string | undefined;
    if (model.provider === down) error = r < 0.7 ? 'api_error' : 'timeout';
    else if (r < 0.012) error = 'rate_limit';
    else if (r < 0.017) error = 'timeout';
    else if (r < 0.022) error = 'api_error';
    if (error === 'timeout') {
      this.genai.record({ ...base, durationMs: 30_000, error });
      return false;
    }
    if (error !== undefined) {
      this.genai.record({ ...base, durationMs: random.logNormal(120, 0.5), error });
      return false;
    }
    const outputTokens = Math.round(random.logNormal(350, 0.7));
    const durationMs = random.logNormal(model.medianMs, 0.45) + outputTokens * 2;
    const cachedInputTokens = random.chance(0.3) ? Math.round(inputTokens * 0.6) : 0;
    this.genai.record({ ...base, durationMs, outputTokens, cachedInputTokens });
    return true;
  }
}
