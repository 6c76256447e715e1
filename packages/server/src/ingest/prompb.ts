/**
 * Field numbers of Prometheus remote write 1.0's protobuf (prometheus/prompb remote.proto and
 * types.proto), shared by the decoder and the encoder:
 *
 *   WriteRequest { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
 *   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2;
 *                  repeated Exemplar exemplars = 3; repeated Histogram histograms = 4; }
 *   Label        { string name = 1; string value = 2; }
 *   Sample       { double value = 1; int64 timestamp = 2; }   // timestamp in Unix ms
 */
export const WRITE_REQUEST_TIMESERIES = 1;
export const WRITE_REQUEST_METADATA = 3;
export const SERIES_LABELS = 1;
export const SERIES_SAMPLES = 2;
export const SERIES_EXEMPLARS = 3;
export const SERIES_HISTOGRAMS = 4;
export const SERIES_FIELDS: Record<number, string> = {
  [SERIES_LABELS]: 'TimeSeries.labels',
  [SERIES_SAMPLES]: 'TimeSeries.samples',
  [SERIES_EXEMPLARS]: 'TimeSeries.exemplars',
  [SERIES_HISTOGRAMS]: 'TimeSeries.histograms',
};
export const LABEL_NAME = 1;
export const LABEL_VALUE = 2;
export const SAMPLE_VALUE = 1;
export const SAMPLE_TIMESTAMP = 2;
