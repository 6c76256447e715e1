/**
 * Field numbers of Prometheus remote write 1.0's protobuf (prometheus/prompb remote.proto and
 * types.proto), shared by the decoder and the encoder:
 *
 *   WriteRequest { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
 *   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2;
 *                  repeated Exemplar exemplars = 3; repeated Histogram histograms = 4; }
 *   Label        { string name = 1; string value = 2; }
 *   Sample       { double value = 1; int64 timestamp = 2; }   // timestamp in Unix ms
 *   Histogram    { oneof count { uint64 count_int = 1; double count_float = 2; } double sum = 3;
 *                  sint32 schema = 4; double zero_threshold = 5;
 *                  oneof zero_count { uint64 zero_count_int = 6; double zero_count_float = 7; }
 *                  repeated BucketSpan negative_spans = 8; repeated sint64 negative_deltas = 9;
 *                  repeated double negative_counts = 10; repeated BucketSpan positive_spans = 11;
 *                  repeated sint64 positive_deltas = 12; repeated double positive_counts = 13;
 *                  ResetHint reset_hint = 14; int64 timestamp = 15; }
 *   BucketSpan   { sint32 offset = 1; uint32 length = 2; }
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
export const HISTOGRAM_COUNT_INT = 1;
export const HISTOGRAM_COUNT_FLOAT = 2;
export const HISTOGRAM_SUM = 3;
export const HISTOGRAM_SCHEMA = 4;
export const HISTOGRAM_ZERO_THRESHOLD = 5;
export const HISTOGRAM_ZERO_COUNT_INT = 6;
export const HISTOGRAM_ZERO_COUNT_FLOAT = 7;
export const HISTOGRAM_NEGATIVE_SPANS = 8;
export const HISTOGRAM_NEGATIVE_DELTAS = 9;
export const HISTOGRAM_NEGATIVE_COUNTS = 10;
export const HISTOGRAM_POSITIVE_SPANS = 11;
export const HISTOGRAM_POSITIVE_DELTAS = 12;
export const HISTOGRAM_POSITIVE_COUNTS = 13;
export const HISTOGRAM_RESET_HINT = 14;
export const HISTOGRAM_TIMESTAMP = 15;
