/** @vigil/metrics/genai: LLM call, token and cost metrics over a versioned price table. */
export type { CostAnalytics, CostSplit, CostTrend, ProviderMetrics } from './genai/genai-analytics.js';
export type { GenAiCall, GenAiMetricsOptions } from './genai/genai-metrics.js';
export { GENAI_DURATION_BUCKETS, GENAI_TOKEN_BUCKETS, GenAiMetrics } from './genai/genai-metrics.js';
export type { CostDetails, ModelPrice, TokenUsage } from './genai/price-table.js';
export { PriceTable } from './genai/price-table.js';
export type { SessionCost } from './genai/session-costs.js';
