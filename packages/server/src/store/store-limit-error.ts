/** A select would return more series or samples than its options allow. */
export class StoreLimitError extends Error {
  readonly code = 'VIGIL_STORE_LIMIT';
  /** Which limit: `maxSeries` or `maxSamples`. */
  readonly limit: 'maxSeries' | 'maxSamples';
  readonly max: number;

  constructor(limit: 'maxSeries' | 'maxSamples', max: number) {
    super(
      limit === 'maxSeries'
        ? `the query matches more than ${max} series (maxSeries); narrow the matchers or the time range`
        : `the query would return more than ${max} samples (maxSamples); narrow the time range or the matchers`,
    );
    this.name = 'StoreLimitError';
    this.limit = limit;
    this.max = max;
  }
}
