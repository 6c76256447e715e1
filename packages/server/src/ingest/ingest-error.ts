import type { ServerErrorCode } from '../errors/catalogue.js';
import { ServerError } from '../errors/server-error.js';

/** Why a whole ingest body was refused; the reason also labels the refusal counter. */
export type IngestErrorReason =
  | 'bad_snappy'
  | 'bad_protobuf'
  | 'bad_labels'
  | 'bad_line'
  | 'bad_histogram'
  | 'too_large'
  | 'bad_otlp';

const CODES: Record<IngestErrorReason, ServerErrorCode> = {
  bad_snappy: 'VIGIL_INGEST_BAD_SNAPPY',
  bad_protobuf: 'VIGIL_INGEST_BAD_PROTOBUF',
  bad_labels: 'VIGIL_INGEST_BAD_LABELS',
  bad_line: 'VIGIL_INGEST_BAD_LINE',
  bad_histogram: 'VIGIL_INGEST_BAD_HISTOGRAM',
  too_large: 'VIGIL_INGEST_TOO_LARGE',
  bad_otlp: 'VIGIL_INGEST_BAD_OTLP',
};

/** A body that cannot be ingested: the message names what was wrong and where (byte offset or line). */
export class IngestError extends ServerError {
  readonly reason: IngestErrorReason;

  constructor(reason: IngestErrorReason, message: string, options?: { cause?: unknown }) {
    super(CODES[reason], message, options);
    this.name = 'IngestError';
    this.reason = reason;
  }
}
