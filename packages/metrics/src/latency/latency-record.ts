import type { Outcome } from '../core/outcome.js';

/** The callbot seed's four operation types; any other string is a user-defined type. */
export type OperationType = 'speech_to_text' | 'text_to_speech' | 'crm_api' | 'rag_inference' | (string & {});

/** How an operation ended: the same three outcomes as `Histogram.measure`. */
export type LatencyStatus = Outcome;

/** Ids that tie a record to a call, a stream, a request (the seed's `call_sid`, `stream_sid`). */
export type Correlation = Readonly<Record<string, string>>;

/** One measured operation, as `getRecentMetrics()` returns it. */
export interface LatencyRecord {
  readonly type: OperationType;
  /** The method or operation, e.g. `transcribe_audio_async`. */
  readonly name: string;
  readonly latencyMs: number;
  readonly status: LatencyStatus;
  /** Unix ms when the operation ended. */
  readonly timestamp: number;
  readonly provider: string;
  readonly correlation: Correlation;
  /** The error's message when the status is not success and an error was thrown or given. */
  readonly error: string | undefined;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** The seed's JSON shape (snake_case, ISO timestamp, null for no error), with the ids under `correlation`. */
export interface LatencyRecordJson {
  readonly operation_type: string;
  readonly operation_name: string;
  readonly latency_ms: number;
  readonly status: LatencyStatus;
  readonly timestamp: string;
  readonly provider: string;
  readonly correlation: Correlation;
  readonly error_message: string | null;
  readonly metadata: Readonly<Record<string, unknown>>;
}

export function toLatencyJson(record: LatencyRecord): LatencyRecordJson {
  return {
    operation_type: record.type,
    operation_name: record.name,
    latency_ms: record.latencyMs,
    status: record.status,
    timestamp: new Date(record.timestamp).toISOString(),
    provider: record.provider,
    correlation: record.correlation,
    error_message: record.error ?? null,
    metadata: record.metadata,
  };
}

export const STATUSES: readonly LatencyStatus[] = ['success', 'error', 'timeout'];

/** Index of a status in STATUSES, for the per-status arrays. */
export function statusIndex(status: LatencyStatus): number {
  return status === 'success' ? 0 : status === 'error' ? 1 : 2;
}

/** A thrown value's message, for `error_message`. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return String(error);
  } catch {
    return 'unprintable error';
  }
}
