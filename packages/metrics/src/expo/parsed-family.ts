/** What `parsePrometheusText` returns: families with their samples, as written. */
export type ParsedType =
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'summary'
  | 'untyped'
  | 'unknown'
  | 'info'
  | 'stateset'
  | 'gaugehistogram';

export interface ParsedExemplar {
  readonly labels: Record<string, string>;
  readonly value: number;
  readonly timestampMs?: number;
}

/** One sample line: the full sample name (`h_bucket`), its labels (`le` included), its value. */
export interface ParsedSample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
  /** Unix ms: as written in the Prometheus text format, converted from seconds in OpenMetrics. */
  readonly timestampMs?: number;
  readonly exemplar?: ParsedExemplar;
  /**
   * Unix ms when the series was created or last reset: the `created_timestamp` of a counter, summary
   * or histogram in the protobuf exposition (the text parsers leave it out).
   */
  readonly createdMs?: number;
}

export interface ParsedFamily {
  /** As declared: `a_total` for a text-format counter, `a` for the same counter in OpenMetrics. */
  readonly name: string;
  readonly type: ParsedType;
  /** Unescaped; '' without a HELP line. */
  readonly help: string;
  /** OpenMetrics UNIT, or ''. */
  readonly unit: string;
  readonly samples: readonly ParsedSample[];
}
