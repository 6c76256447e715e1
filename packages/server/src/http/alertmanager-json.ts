import { badRequest } from './http-error.js';
import { sendError } from './respond.js';
import type { Handler } from './router.js';

/**
 * Errors of the alerting routes in Prometheus's envelope, `{status:"error", errorType, error}`, whatever
 * the path (elsewhere it is kept for /api/v1), because Alertmanager's and Prometheus's clients read it.
 */
export function alertmanagerError(handler: Handler): Handler {
  return async (ctx) => {
    try {
      await handler(ctx);
    } catch (error) {
      sendError(ctx.res, error, 'prometheus');
    }
  };
}

export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw badRequest(`the body is not valid JSON: ${(error as Error).message}`);
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 time in Unix ms; `key` names the field in the error. */
export function parseTime(value: unknown, key: string): number {
  if (typeof value === 'string' && RFC3339.test(value)) {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  throw badRequest(
    `${key}: expected an RFC 3339 time such as 2026-01-02T15:04:05Z, got ${JSON.stringify(value) ?? 'nothing'}`,
  );
}
