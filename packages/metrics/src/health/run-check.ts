import type { Clock } from '../base/clock.js';
import type { CheckDetails, CheckFn, CheckOutcome, CheckResult } from './health-check.js';
import type { Redactor } from './redactor.js';

const ERROR_CHARS = 500;

/**
 * Runs `check` once, bounded by `timeoutMs` on `clock`, and turns whatever happens into a
 * `CheckResult` with secrets redacted. `onResult` is called before the promise resolves; a
 * synchronous check gets it before `runCheck` returns. Never rejects.
 */
export function runCheck(
  check: CheckFn,
  timeoutMs: number,
  clock: Clock,
  redactor: Redactor,
  onResult: (result: CheckResult) => void,
): Promise<CheckResult> {
  const started = clock.now();
  const controller = new AbortController();
  return new Promise((resolve) => {
    let settled = false;
    let cancelTimeout = () => {};
    const finish = (ok: boolean, error?: string, details?: CheckDetails, reportedMs?: number) => {
      if (settled) return;
      settled = true;
      cancelTimeout();
      const measured = reportedMs !== undefined && Number.isFinite(reportedMs) && reportedMs >= 0;
      const result: CheckResult = {
        timestamp: started,
        ok,
        responseTimeMs: measured ? reportedMs : clock.now() - started,
        ...(error !== undefined && { error: redactor.redact(error).slice(0, ERROR_CHARS) }),
        ...(details !== undefined && { details: redactDetails(details, redactor) }),
      };
      onResult(result);
      resolve(result);
    };
    // The injected clock, not AbortSignal.timeout: tests advance time instead of waiting for it.
    cancelTimeout = clock.every(timeoutMs, () => {
      finish(false, `timeout after ${timeoutMs} ms`);
      controller.abort(new DOMException('health check timed out', 'TimeoutError'));
    });
    const settle = (value: CheckOutcome) => {
      if (value === false) finish(false, 'check returned false');
      else if (typeof value === 'object' && value !== null) {
        const failed = value.ok === false;
        finish(
          !failed,
          failed ? (value.error ?? 'check reported a failure') : undefined,
          value.details,
          value.responseTimeMs,
        );
      } else finish(true);
    };
    let outcome: CheckOutcome | PromiseLike<CheckOutcome>;
    try {
      outcome = check(controller.signal);
    } catch (error) {
      finish(false, messageOf(error));
      return;
    }
    if (isThenable(outcome)) outcome.then(settle, (error: unknown) => finish(false, messageOf(error)));
    else settle(outcome);
  });
}

function redactDetails(details: CheckDetails, redactor: Redactor): CheckDetails {
  const out: Record<string, CheckDetails[string]> = {};
  for (const [key, value] of Object.entries(details)) {
    if (typeof value === 'string') out[key] = redactor.redact(value);
    else if (Array.isArray(value)) out[key] = value.map((v) => redactor.redact(String(v)));
    else out[key] = value;
  }
  return out;
}

function isThenable(value: unknown): value is PromiseLike<CheckOutcome> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** fetch reports "fetch failed" and puts the reason (ECONNREFUSED, a TLS error) in `cause`. */
function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const message = error.message || error.name;
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause && cause !== message ? `${message}: ${cause}` : message;
}
