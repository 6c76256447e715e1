import type { SERVER_ERRORS, ServerErrorCode } from '../errors/catalogue.js';
import { ServerError } from '../errors/server-error.js';

/** The catalogue's codes a query can fail with: its own, and a remote engine's. */
export type QueryErrorCode = Extract<ServerErrorCode, `VIGIL_QUERY_${string}` | `VIGIL_REMOTE_${string}`>;

/**
 * Why a query failed, in the Prometheus HTTP API's `errorType` words: `bad_data` (the query is wrong),
 * `execution` (it could not be evaluated: a limit, a many-to-many match), `timeout`, `unavailable` (a
 * remote engine did not answer).
 */
export type QueryErrorType = (typeof SERVER_ERRORS)[QueryErrorCode]['type'];

/** A query that failed; QueryEngine implementations throw nothing else on purpose. */
export class QueryError extends ServerError {
  declare readonly code: QueryErrorCode;
  declare readonly type: QueryErrorType;

  constructor(code: QueryErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'QueryError';
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
    super('VIGIL_QUERY_PARSE', `parse error at ${where}: ${detail}`);
    this.name = 'PromqlParseError';
    this.position = position;
    this.line = line;
    this.column = column;
    this.detail = detail;
  }
}
