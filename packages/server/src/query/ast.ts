import type { LabelMatcher } from '../store/series-store.js';

/** What an expression evaluates to, as PromQL's type checker names them. */
export type ValueType = 'scalar' | 'string' | 'vector' | 'matrix';

/** Where a node sits in the query text: `[start, end)` character offsets. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface NumberLiteral extends Span {
  readonly kind: 'number';
  readonly value: number;
}

export interface StringLiteral extends Span {
  readonly kind: 'string';
  readonly value: string;
}

/** `@ <time>`, `@ start()` or `@ end()`; a number is Unix milliseconds. */
export type AtModifier = number | 'start' | 'end';

/**
 * A duration written as arithmetic (Prometheus's `promql-duration-expr`): `5m * 2`, `(1h + 30m)`,
 * `max_of(step(), 1m)`. Computed in seconds, as Prometheus computes it.
 */
export type DurationExpr = Span &
  (
    | {
        readonly kind: 'literal';
        readonly seconds: number;
        /** Written with a unit (`5m`), not as a number. */
        readonly unit: boolean;
      }
    | { readonly kind: 'step' | 'range' }
    | { readonly kind: 'unary'; readonly op: '+' | '-'; readonly expr: DurationExpr }
    | { readonly kind: 'paren'; readonly expr: DurationExpr }
    | {
        readonly kind: 'binary';
        readonly op: '+' | '-' | '*' | '/' | '%' | '^' | 'min_of' | 'max_of';
        readonly lhs: DurationExpr;
        readonly rhs: DurationExpr;
      }
  );

export interface VectorSelector extends Span {
  readonly kind: 'vectorSelector';
  /** Includes the metric name as a `__name__` matcher when one was written. */
  readonly matchers: readonly LabelMatcher[];
  readonly offsetMs: number;
  /** The offset as written when it is an expression; `offsetMs` is its value. */
  readonly offsetExpr?: DurationExpr;
  readonly at: AtModifier | undefined;
}

export interface MatrixSelector extends Span {
  readonly kind: 'matrixSelector';
  readonly selector: VectorSelector;
  readonly rangeMs: number;
  /** The range as written when it is an expression; `rangeMs` is its value. */
  readonly rangeExpr?: DurationExpr;
}

export interface Subquery extends Span {
  readonly kind: 'subquery';
  readonly expr: Expr;
  readonly rangeMs: number;
  /** Undefined: the engine's default evaluation interval. */
  readonly stepMs: number | undefined;
  readonly offsetMs: number;
  readonly at: AtModifier | undefined;
  /** Range, step and offset as written when they are expressions; the `…Ms` fields are their values. */
  readonly rangeExpr?: DurationExpr;
  readonly stepExpr?: DurationExpr;
  readonly offsetExpr?: DurationExpr;
}

export interface Call extends Span {
  readonly kind: 'call';
  readonly func: string;
  readonly args: readonly Expr[];
}

export type AggregateOp =
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'count'
  | 'group'
  | 'stddev'
  | 'stdvar'
  | 'topk'
  | 'bottomk'
  | 'quantile'
  | 'count_values'
  | 'limitk'
  | 'limit_ratio';

export interface Aggregation extends Span {
  readonly kind: 'aggregation';
  readonly op: AggregateOp;
  readonly expr: Expr;
  /** `k` of topk/bottomk/limitk, `φ` of quantile, the ratio of limit_ratio, the label name of count_values. */
  readonly param: Expr | undefined;
  readonly grouping: readonly string[];
  /** True for `without (...)`, false for `by (...)` or no clause. */
  readonly without: boolean;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^' | 'atan2';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

export interface VectorMatching {
  /** `on (...)` when true, `ignoring (...)` (or no clause) when false. */
  readonly on: boolean;
  readonly labels: readonly string[];
  readonly card: 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';
  /** The labels of `group_left (...)` / `group_right (...)` copied from the "one" side. */
  readonly include: readonly string[];
}

export interface Binary extends Span {
  readonly kind: 'binary';
  readonly op: BinaryOp;
  readonly lhs: Expr;
  readonly rhs: Expr;
  /** Comparison with `bool`: 0 or 1 instead of filtering. */
  readonly returnBool: boolean;
  /** Set when both sides are vectors. */
  readonly matching: VectorMatching | undefined;
}

export interface Unary extends Span {
  readonly kind: 'unary';
  readonly op: '+' | '-';
  readonly expr: Expr;
}

export interface Paren extends Span {
  readonly kind: 'paren';
  readonly expr: Expr;
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | Subquery
  | Call
  | Aggregation
  | Binary
  | Unary
  | Paren;
