import { SERVER_ERRORS, type ServerErrorCode } from './catalogue.js';

/**
 * An error the server throws on purpose. Its `code` is one of the catalogue's, from which `status` and
 * `type` (Prometheus's `errorType`) follow, so no layer decides an HTTP status and none needs to read
 * another's messages. Anything thrown that is not a ServerError is a bug and answered as one (500).
 */
export class ServerError extends Error {
  readonly code: ServerErrorCode;
  readonly status: number;
  readonly type: string;

  constructor(code: ServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServerError';
    this.code = code;
    this.status = SERVER_ERRORS[code].status;
    this.type = SERVER_ERRORS[code].type;
  }
}
