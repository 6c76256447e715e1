/**
 * The libraries under test, set up the same way in every scenario: vigil from the built output,
 * prom-client with its own registry (not the global one), and the OpenTelemetry SDK with a reader
 * attached. Without a reader the SDK creates no storage and `add()` records nothing, which would
 * time an empty call, so every OTel figure here is for an SDK that keeps what it is given.
 */
import { existsSync } from 'node:fs';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

export * as vigil from '../../packages/metrics/dist/index.js';

import * as vigilIndex from '../../packages/metrics/dist/index.js';

/** Holds data until collected; exports nowhere. */
class HeldReader extends MetricReader {
  async onShutdown() {}
  async onForceFlush() {}
}

/**
 * A meter whose instruments keep up to `cardinality` series each (the SDK's default limit is 2,000;
 * past it, series fold into one overflow series).
 */
export function otelMeter(cardinality = 2000) {
  const reader = new HeldReader({ cardinalitySelector: () => cardinality });
  const provider = new MeterProvider({ readers: [reader] });
  return { meter: provider.getMeter('bench'), reader };
}

/** Number of data points the reader would export now (a check that the SDK recorded). */
export async function otelPoints(reader) {
  const { resourceMetrics } = await reader.collect();
  let points = 0;
  for (const scope of resourceMetrics.scopeMetrics)
    for (const m of scope.metrics) points += m.dataPoints.length;
  return points;
}

/**
 * `toPrometheusText` from the package index once it is exported there; until then from its module
 * in dist/expo. Returns the function and where it came from.
 */
export async function loadPrometheusText() {
  if (typeof vigilIndex.toPrometheusText === 'function') {
    return { toPrometheusText: vigilIndex.toPrometheusText, from: 'packages/metrics/dist/index.js' };
  }
  const path = new URL('../../packages/metrics/dist/expo/prometheus-text.js', import.meta.url);
  if (!existsSync(path)) throw new Error('toPrometheusText not built: run `npm run build` first');
  const mod = await import(path.href);
  return { toPrometheusText: mod.toPrometheusText, from: 'packages/metrics/dist/expo/prometheus-text.js' };
}
