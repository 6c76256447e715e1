import { ServerError } from '../errors/server-error.js';

/**
 * A select would return more series or samples than its options allow. Part of the SeriesStore
 * contract: every implementation throws it, and the query layer turns it into its own limit errors.
 */
export class StoreLimitError extends ServerError {
  /** Which limit: `maxSeries` or `maxSamples`. */
  readonly limit: 'maxSeries' | 'maxSamples';
  readonly max: number;

  constructor(limit: 'maxSeries' | 'maxSamples', max: number) {
    super(
      'VIGIL_STORE_LIMIT',
      limit === 'maxSeries'
        ? `the query matches more than ${max} series (maxSeries); narrow the matchers or the time range`
        : `the query would return more than ${max} samples (maxSamples); narrow the time range or the matchers`,
    );
    this.name = 'StoreLimitError';
    this.limit = limit;
    this.max = max;
  }
}
