/** @vigil/metrics/collector: the StatsD-style MetricsCollector facade. */
export type { MetricsCollectorOptions, Tags } from './collector/metrics-collector.js';
export { MetricsCollector } from './collector/metrics-collector.js';
