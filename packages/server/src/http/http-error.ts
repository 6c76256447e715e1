/**
 * An error an HTTP handler throws to answer with a status and a JSON body naming what was wrong.
 * `code` is stable (documented in the README); `type` is Prometheus's errorType for /api/v1 paths.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
  }
}

export const badRequest = (message: string) => new HttpError(400, 'bad_data', message);
