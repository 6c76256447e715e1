/**
 * Bounds on one series' labels, so that memory is bounded by bytes and not only by the number of
 * series: a single 79 MB label value would otherwise be kept in the index for ever. The defaults
 * are generous next to Grafana Mimir's (1024-byte names, 2048-byte values, 30 labels per series).
 */
export interface LabelLimits {
  readonly nameBytes: number;
  readonly valueBytes: number;
  readonly labelsPerSeries: number;
  /** Every name and value of the series together. */
  readonly seriesBytes: number;
}

export const DEFAULT_LABEL_LIMITS: LabelLimits = {
  nameBytes: 1024,
  valueBytes: 8192,
  labelsPerSeries: 64,
  seriesBytes: 16_384,
};
