import type { ModelPrice } from '@vigil/metrics/genai';
import type { Incidents } from './incidents.js';

export interface SimulatedModel {
  readonly provider: string;
  readonly model: string;
  /** Median latency of a call, ms. */
  readonly medianMs: number;
  /** Share of the orchestrator's traffic. */
  readonly weight: number;
}

/** The LLM-orchestrator seed's providers (the first four of its eight), two models each. */
export const PROVIDERS = ['openai', 'anthropic', 'gemini', 'mistral'] as const;

export const MODELS: readonly SimulatedModel[] = [
  { provider: 'openai', model: 'gpt-4o', medianMs: 1200, weight: 3 },
  { provider: 'openai', model: 'gpt-4o-mini', medianMs: 650, weight: 4 },
  { provider: 'anthropic', model: 'claude-3-5-sonnet', medianMs: 1600, weight: 3 },
  { provider: 'anthropic', model: 'claude-3-5-haiku', medianMs: 900, weight: 2 },
  { provider: 'gemini', model: 'gemini-1.5-pro', medianMs: 1400, weight: 1 },
  { provider: 'gemini', model: 'gemini-1.5-flash', medianMs: 550, weight: 3 },
  { provider: 'mistral', model: 'mistral-large', medianMs: 1300, weight: 1 },
  { provider: 'mistral', model: 'mistral-small', medianMs: 700, weight: 2 },
];

/** USD per million tokens, list prices of late 2024; a versioned table, as GenAiMetrics wants. */
export const PRICES: readonly ModelPrice[] = [
  {
    provider: 'openai',
    model: 'gpt-4o',
    effectiveFrom: '2024-08-06',
    input: 2.5,
    output: 10,
    cachedInput: 1.25,
  },
  { provider: 'openai', model: 'gpt-4o-mini', effectiveFrom: '2024-07-18', input: 0.15, output: 0.6 },
  { provider: 'anthropic', model: 'claude-3-5-sonnet', effectiveFrom: '2024-06-20', input: 3, output: 15 },
  { provider: 'anthropic', model: 'claude-3-5-haiku', effectiveFrom: '2024-11-04', input: 0.8, output: 4 },
  { provider: 'gemini', model: 'gemini-1.5-pro', effectiveFrom: '2024-10-01', input: 1.25, output: 5 },
  { provider: 'gemini', model: 'gemini-1.5-flash', effectiveFrom: '2024-10-01', input: 0.075, output: 0.3 },
  { provider: 'mistral', model: 'mistral-large', effectiveFrom: '2024-11-18', input: 2, output: 6 },
  { provider: 'mistral', model: 'mistral-small', effectiveFrom: '2024-09-17', input: 0.2, output: 0.6 },
];

/** The provider that is down at `now`, if one is: each outage takes the next one in turn. */
export function providerDown(incidents: Incidents, now: number): string | undefined {
  const outage = incidents.get(now, 'provider_outage');
  return outage && PROVIDERS[outage.occurrence % PROVIDERS.length];
}
