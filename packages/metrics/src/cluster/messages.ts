import type { ScopeSnapshot } from '../core/snapshot.js';
import type { SketchData } from '../sketch/quantile-sketch.js';

/**
 * What a `ClusterWorker` and a `ClusterRegistry` say to each other, over a cluster IPC channel
 * (JSON by default, or V8's serialiser with `serialization: 'advanced'`) or a `MessagePort`
 * (structured clone). Only strings, numbers and arrays, so every transport carries it unchanged.
 * Every message has a `vigil` field, so the application's own messages on the same channel pass by.
 */
export type ClusterMessage = ProbeMessage | HelloMessage | ScrapeMessage | AnswerMessage;

/** Primary → worker, when the primary starts listening: its hello may have been sent before. */
export interface ProbeMessage {
  readonly vigil: 'probe';
}

/** Worker → primary: sent when the `ClusterWorker` starts and in reply to every probe. */
export interface HelloMessage {
  readonly vigil: 'hello';
  /** Names one `ClusterWorker` in one process: a new one means counters started again from zero. */
  readonly incarnation: string;
  readonly pid: number;
  readonly threadId: number;
}

/** Primary → worker: send a snapshot. */
export interface ScrapeMessage {
  readonly vigil: 'scrape';
  readonly id: number;
  /** `incarnation:seq` of the last answer the primary applied, or '' when it holds none. */
  readonly have: string;
  /**
   * The primary reads counter values packed as variable-length integers (`WireColumn`
   * `{ varint }`). Absent from primaries of versions before it, which are sent Float64 columns only.
   */
  readonly varint?: boolean;
}

/** Worker → primary: the answer to scrape `id`, or the error that kept the worker from answering. */
export interface AnswerMessage {
  readonly vigil: 'snapshot';
  readonly id: number;
  readonly incarnation: string;
  /** Numbers this worker's answers 1, 2, 3 ...; series blocks are sent relative to answer `base`. */
  readonly seq: number;
  /** The answer whose series order this one continues, or -1 when every block is sent. */
  readonly base: number;
  readonly startTime: number;
  readonly scopeLabel: string;
  readonly scopes: readonly ScopeSnapshot[];
  readonly metrics: readonly WireMetric[];
  readonly error?: string;
}

/**
 * JSON has no infinities or NaN: they travel as the strings `Number()` reads back, which is also
 * what a typed array makes of them (`Float64Array.from(['-Infinity'])`).
 */
export type WireNumber = number | 'Infinity' | '-Infinity' | 'NaN';

/**
 * A column of numbers, one per series: the bytes of a Float64Array in base64 (every
 * transport carries a string unchanged, NaN payloads and infinities included). Writing and reading
 * 10,000 numbers as JSON numbers cost 1.2 and 0.9 ms for fractional values (0.3 and 0.2 for small
 * integers), as base64 0.16 and 0.06 ms (bench/cluster-scrape.js). Workers of versions before it
 * sent arrays of WireNumber, which are still read.
 *
 * `{ varint }`: for a counter column whose every value is an integer from 0 to 2^53 - 1, as
 * request counts are, when the primary asked for it (`ScrapeMessage.varint`): each value in
 * little-endian groups of 7 bits, the high bit set on all but the last (protobuf's varint), in
 * base64. A count below 16,384 takes 2 bytes instead of 8: the primary's IPC channel reads,
 * decodes and parses a quarter of the characters on every scrape, which was most of its share of a
 * cluster scrape (4 × 10,000 series: 0.87 ms a scrape for 4 × 107 KB of JSON, 0.13 ms for empty answers).
 */
export type WireColumn = string | { readonly varint: string } | readonly WireNumber[];

interface WireBase {
  readonly name: string;
  readonly help: string;
  readonly unit: string;
  /**
   * How many leading series have the same label blocks, in the same order, as in answer `base`;
   * `blocks` holds the rest. A worker's series keep their order from one snapshot to the next, so
   * after the first answer a scrape carries numbers only: the primary keeps the blocks it was sent.
   */
  readonly keep: number;
  readonly blocks: readonly string[];
}

export interface WireCounter extends WireBase {
  readonly type: 'counter';
  readonly values: WireColumn;
}

export interface WireGauge extends WireBase {
  readonly type: 'gauge';
  readonly values: WireColumn;
  readonly min: WireColumn;
  readonly max: WireColumn;
  readonly mean: WireColumn;
}

export interface WireHistogram extends WireBase {
  readonly type: 'histogram';
  readonly bounds: readonly number[];
  readonly quantiles: readonly number[];
  /** The histogram's exposition options (absent from workers of versions before native histograms). */
  readonly classic?: boolean;
  readonly nativeBucketLimit?: number;
  /** Cumulative classic bucket counts per series, +Inf last. */
  readonly buckets: readonly (readonly number[])[];
  readonly sketches: readonly SketchData[];
  /** The window sketches, when the histogram has a window. */
  readonly windows?: readonly SketchData[];
  /**
   * Unix ms when each series was created or last reset, NaN when not known (absent from workers of
   * versions before it): the merged series' created timestamp is the earliest.
   */
  readonly created?: WireColumn;
}

export type WireMetric = WireCounter | WireGauge | WireHistogram;

const KINDS = new Set(['probe', 'hello', 'scrape', 'snapshot']);

export function isClusterMessage(message: unknown): message is ClusterMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    KINDS.has((message as { vigil?: unknown }).vigil as string)
  );
}
