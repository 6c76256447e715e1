/** Ingest refused because the on-disk remote-write queue is full: the HTTP layer answers 503. */
export class QueueFullError extends Error {
  readonly code = 'VIGIL_REMOTE_QUEUE_FULL';

  constructor(queuedBytes: number, maxBytes: number) {
    super(
      `the remote-write queue is full (${queuedBytes} of ${maxBytes} bytes, remote.queueMaxBytes): the remote engine is not accepting samples; retry later`,
    );
    this.name = 'QueueFullError';
  }
}
