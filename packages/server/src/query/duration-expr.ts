import type { DurationExpr, Expr, Span } from './ast.js';

/** What `step()` and `range()` stand for: the range query's step and `end - start`; 0 and 0 for an instant query. */
export interface DurationContext {
  readonly stepMs: number;
  readonly rangeMs: number;
}

/** Reports a duration that cannot be used, at the expression it came from; does not return. */
export type DurationFailure = (at: Span, detail: string) => never;

/** Largest duration kept, in milliseconds: beyond it a time is no longer an exact number. */
const MAX_MS = Number.MAX_SAFE_INTEGER;

/** Whether the expression's value is known without a query (no `step()` nor `range()`). */
export function isConstant(e: DurationExpr): boolean {
  switch (e.kind) {
    case 'literal':
      return true;
    case 'step':
    case 'range':
      return false;
    case 'unary':
    case 'paren':
      return isConstant(e.expr);
    case 'binary':
      return isConstant(e.lhs) && isConstant(e.rhs);
  }
}

/**
 * The expression's value in milliseconds, as Prometheus's engine computes it: float seconds, then
 * truncated to whole milliseconds. A range or a step must come out positive, an offset may be
 * negative; NaN, ±Inf, a division or modulo by zero and what no time can hold are refused.
 */
export function durationMs(
  e: DurationExpr,
  context: DurationContext,
  allowNegative: boolean,
  fail: DurationFailure,
): number {
  const seconds = secondsOf(e, context, fail);
  if (!Number.isFinite(seconds))
    fail(
      e,
      `duration must be a finite number of seconds, got ${Number.isNaN(seconds) ? 'NaN' : seconds > 0 ? '+Inf' : '-Inf'}`,
    );
  const ms = Math.trunc(seconds * 1000);
  if (!allowNegative && ms <= 0) fail(e, 'duration must be greater than 0');
  if (Math.abs(ms) > MAX_MS) fail(e, 'duration is out of range');
  return ms === 0 ? 0 : ms;
}

function secondsOf(e: DurationExpr, context: DurationContext, fail: DurationFailure): number {
  switch (e.kind) {
    case 'literal':
      return e.seconds;
    case 'step':
      return context.stepMs / 1000;
    case 'range':
      return context.rangeMs / 1000;
    case 'paren':
      return secondsOf(e.expr, context, fail);
    case 'unary': {
      const v = secondsOf(e.expr, context, fail);
      return e.op === '-' ? -v : v;
    }
    case 'binary': {
      const l = secondsOf(e.lhs, context, fail);
      const r = secondsOf(e.rhs, context, fail);
      switch (e.op) {
        case '+':
          return l + r;
        case '-':
          return l - r;
        case '*':
          return l * r;
        case '/':
          if (r === 0) fail(e, 'division by zero');
          return l / r;
        case '%':
          if (r === 0) fail(e, 'modulo by zero');
          return l % r;
        case '^':
          return l ** r;
        case 'min_of':
          return Math.min(l, r);
        case 'max_of':
          return Math.max(l, r);
      }
    }
  }
}

/**
 * `e` with the durations that depend on the query (`step()`, `range()`) worked out for `context`;
 * `e` itself when it has none. The parser has already worked out the others.
 */
export function resolveDurations(e: Expr, context: DurationContext, fail: DurationFailure): Expr {
  const value = (d: DurationExpr | undefined, negative: boolean) =>
    d === undefined || isConstant(d) ? undefined : durationMs(d, context, negative, fail);
  switch (e.kind) {
    case 'vectorSelector': {
      const offsetMs = value(e.offsetExpr, true);
      return offsetMs === undefined ? e : { ...e, offsetMs };
    }
    case 'matrixSelector': {
      const selector = resolveDurations(e.selector, context, fail) as typeof e.selector;
      const rangeMs = value(e.rangeExpr, false);
      if (selector === e.selector && rangeMs === undefined) return e;
      return { ...e, selector, rangeMs: rangeMs ?? e.rangeMs };
    }
    case 'subquery': {
      const expr = resolveDurations(e.expr, context, fail);
      const rangeMs = value(e.rangeExpr, false);
      const stepMs = value(e.stepExpr, false);
      const offsetMs = value(e.offsetExpr, true);
      if (expr === e.expr && rangeMs === undefined && stepMs === undefined && offsetMs === undefined)
        return e;
      return {
        ...e,
        expr,
        rangeMs: rangeMs ?? e.rangeMs,
        stepMs: stepMs ?? e.stepMs,
        offsetMs: offsetMs ?? e.offsetMs,
      };
    }
    case 'paren':
    case 'unary': {
      const expr = resolveDurations(e.expr, context, fail);
      return expr === e.expr ? e : { ...e, expr };
    }
    case 'binary': {
      const lhs = resolveDurations(e.lhs, context, fail);
      const rhs = resolveDurations(e.rhs, context, fail);
      return lhs === e.lhs && rhs === e.rhs ? e : { ...e, lhs, rhs };
    }
    case 'aggregation': {
      const expr = resolveDurations(e.expr, context, fail);
      const param = e.param && resolveDurations(e.param, context, fail);
      return expr === e.expr && param === e.param ? e : { ...e, expr, param };
    }
    case 'call': {
      const args = e.args.map((a) => resolveDurations(a, context, fail));
      return args.every((a, i) => a === e.args[i]) ? e : { ...e, args };
    }
    case 'number':
    case 'string':
      return e;
  }
}
