import type { SeriesSamples } from '../store/series-store.js';

/**
 * SeriesSamples as the ingest parsers return them: both arrays are Float64Arrays, the only kind that
 * keeps a NaN's bits (the staleness marker) whatever is done with them next.
 */
export interface ParsedSeries extends SeriesSamples {
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}
