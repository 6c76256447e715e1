import type { Clock } from '@vigil/metrics';
import { PromqlEngine } from '../query/promql-engine.js';
import type { ReportSources } from '../reports/build-report.js';
import { RollupSamples, rangesMeetExactly } from '../store/rollup-samples.js';
import type { SeriesStore } from '../store/series-store.js';

/**
 * The engines a report reads the embedded store's hourly rollups through: a week over 10,000 series
 * is then 168 points a series instead of 40,320 scrapes at 15 s. Made for each report, since they
 * keep what they read until it is built.
 */
export function reportRollups(store: SeriesStore, clock?: Clock): NonNullable<ReportSources['rollups']> {
  return {
    counters: new PromqlEngine({ store: new RollupSamples(store, 'last'), ...(clock && { clock }) }),
    gauges: new PromqlEngine({ store: new RollupSamples(store, 'mean'), ...(clock && { clock }) }),
    meetExactly: rangesMeetExactly,
  };
}
