/**
 * Why a query failed, in the Prometheus HTTP API's `errorType` words, so the HTTP layer maps it to
 * a status without looking at messages: `bad_data` (400, the query is wrong), `execution` (422, it
 * could not be evaluated: a limit, a many-to-many match), `timeout` (503), `unavailable` (503, a remote engine did not answer).
 */
export type QueryErrorType = 'bad_data' | 'execution' | 'timeout' | 'unavailable';

export class QueryError extends Error {
  readonly code: string;
  readonly type: QueryErrorType;

  constructor(type: QueryErrorType, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QueryError';
    this.type = type;
    this.code = code;
  }
}

/** A syntax or type error in the query text, at `position` (0-based character offset). */
export class PromqlParseError extends QueryError {
  readonly position: number;
  readonly line: number;
  readonly column: number;
  /** The message without the position prefix. */
  readonly detail: string;

  constructor(query: string, position: number, detail: string) {
    const before = query.slice(0, position).split('\n');
    const line = before.length;
    const column = (before.at(-1)?.length ?? 0) + 1;
    // Prometheus 2.0's wording; "char" counts from 1 within the line, as its column does.
    const where = line === 1 ? `char ${column}` : `line ${line}, char ${column}`;
    super('bad_data', 'VIGIL_QUERY_PARSE', `parse error at ${where}: ${detail}`);
    this.name = 'PromqlParseError';
    this.position = position;
    this.line = line;
    this.column = column;
    this.detail = detail;
  }
}
