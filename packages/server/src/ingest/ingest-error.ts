/**
 * Why a whole ingest body was refused. The HTTP routes answer 400 for all of them but `too_large`,
 * which is a 413; the reason also labels the refusal counter.
 */
export type IngestErrorReason = 'bad_snappy' | 'bad_protobuf' | 'bad_labels' | 'bad_line' | 'too_large';

/** A body that cannot be ingested: the message names what was wrong and where (byte offset or line). */
export class IngestError extends Error {
  readonly reason: IngestErrorReason;

  constructor(reason: IngestErrorReason, message: string) {
    super(message);
    this.name = 'IngestError';
    this.reason = reason;
  }
}
