import { HttpError } from './http-error.js';
import { sendJson } from './respond.js';
import type { Handler } from './router.js';

/**
 * Errors of the alerting routes in the envelope the team's API uses, `{status:"error", errorType,
 * error}`, whatever the path (the shared `sendError` keeps it for /api/v1 only).
 */
export function alertmanagerError(handler: Handler): Handler {
  return async (ctx) => {
    try {
      await handler(ctx);
    } catch (error) {
      if (!(error instanceof HttpError) || ctx.res.headersSent) throw error;
      sendJson(ctx.res, error.status, { status: 'error', errorType: error.code, error: error.message });
    }
  };
}

export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new HttpError(400, 'bad_data', `the body is not valid JSON: ${(error as Error).message}`);
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 time in Unix ms; `key` names the field in the error. */
export function parseTime(value: unknown, key: string): number {
  if (typeof value === 'string' && RFC3339.test(value)) {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  throw new HttpError(
    400,
    'bad_data',
    `${key}: expected an RFC 3339 time such as 2026-01-02T15:04:05Z, got ${JSON.stringify(value) ?? 'nothing'}`,
  );
}
