import type { ServerErrorCode } from '../errors/catalogue.js';
import { ServerError } from '../errors/server-error.js';

/** An error an HTTP handler throws about the request itself (its URL, parameters, body, token). */
export class HttpError extends ServerError {
  constructor(code: ServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string) => new HttpError('VIGIL_BAD_REQUEST', message);
