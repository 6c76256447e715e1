/** A failed API call: the HTTP status, the server's error type and its message, as the server wrote them. */
export class ApiError extends Error {
  readonly status: number;
  readonly errorType: string;

  constructor(status: number, errorType: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.errorType = errorType;
  }
}
