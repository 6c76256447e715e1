import { parser } from '@prometheus-io/lezer-promql';
import { compileMatcher } from '../matchers/label-matcher.js';
import { RegexError, regexMatcher } from '../regex/regex-matcher.js';
import type { LabelMatcher, MatchType } from '../store/series-store.js';
import type {
  AggregateOp,
  AtModifier,
  BinaryOp,
  DurationExpr,
  Expr,
  MatrixSelector,
  Subquery,
  ValueType,
  VectorMatching,
  VectorSelector,
} from './ast.js';
import { parseDuration } from './duration.js';
import { durationMs, isConstant } from './duration-expr.js';
import { FUNCTIONS } from './function-signatures.js';
import { PromqlParseError } from './query-error.js';
import { unquote } from './string-literal.js';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

const AGGREGATE_OPS = new Set<string>([
  'sum',
  'avg',
  'min',
  'max',
  'count',
  'group',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
  'count_values',
  'limitk',
  'limit_ratio',
]);
const BINARY_OPS = new Map<string, BinaryOp>([
  ['Add', '+'],
  ['Sub', '-'],
  ['Mul', '*'],
  ['Div', '/'],
  ['Mod', '%'],
  ['Pow', '^'],
  ['Atan2', 'atan2'],
  ['Eql', '=='],
  ['Neq', '!='],
  ['Gtr', '>'],
  ['Lss', '<'],
  ['Gte', '>='],
  ['Lte', '<='],
  ['And', 'and'],
  ['Or', 'or'],
  ['Unless', 'unless'],
]);
const MATCH_OPS: Record<string, MatchType> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };
const TYPE_NAMES: Record<ValueType, string> = {
  scalar: 'scalar',
  string: 'string',
  vector: 'instant vector',
  matrix: 'range vector',
};

/**
 * Parses a PromQL expression with the Prometheus project's own grammar and checks it as Prometheus's
 * parser does (argument types, `bool` only on comparisons, ranges only on selectors...).
 * Throws a PromqlParseError naming the position and what was wrong.
 */
export interface ParseOptions {
  /**
   * Accept Prometheus 3's experimental functions and aggregations (`sort_by_label`, `limitk`, ...),
   * as Prometheus's `--enable-feature=promql-experimental-functions`.
   */
  readonly experimentalFunctions?: boolean;
  /**
   * Accept arithmetic in durations (`x[5m * 2]`, `x offset (1h + 30m)`, `x[1h:step()]`), as
   * Prometheus's `--enable-feature=promql-duration-expr`.
   */
  readonly durationExpressions?: boolean;
}

export function parsePromql(query: string, options: ParseOptions = {}): Expr {
  return new Converter(query, options).run();
}

/** The Prometheus feature flag that enables experimental functions, named as Prometheus names it. */
export const EXPERIMENTAL_FUNCTIONS_FEATURE = 'promql-experimental-functions';
/** The Prometheus feature flag that enables duration expressions. */
export const DURATION_EXPRESSIONS_FEATURE = 'promql-duration-expr';

const DURATION_OPS: Record<string, (DurationExpr & { kind: 'binary' })['op']> = {
  Add: '+',
  Sub: '-',
  Mul: '*',
  Div: '/',
  Mod: '%',
  Pow: '^',
};

/** The type an expression evaluates to. */
export function typeOf(e: Expr): ValueType {
  switch (e.kind) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'vectorSelector':
    case 'aggregation':
      return 'vector';
    case 'matrixSelector':
    case 'subquery':
      return 'matrix';
    case 'call':
      return FUNCTIONS.get(e.func)?.returns ?? 'vector';
    case 'binary':
      return typeOf(e.lhs) === 'scalar' && typeOf(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'unary':
    case 'paren':
      return typeOf(e.expr);
  }
}

class Converter {
  readonly #query: string;
  /**
   * The query as the grammar reads it: same length and positions, number literals made readable,
   * and calls to `min_of`/`max_of` outside durations renamed (run()).
   */
  #source: string;
  readonly #experimental: boolean;
  readonly #durationExpressions: boolean;

  constructor(query: string, options: ParseOptions) {
    this.#query = query;
    this.#source = readableNumbers(query);
    this.#experimental = options.experimentalFunctions ?? false;
    this.#durationExpressions = options.durationExpressions ?? false;
  }

  run(): Expr {
    // Prometheus 3.13's scalar functions min_of(a, b) and max_of(a, b): the grammar knows the names
    // only inside durations and reads a call elsewhere as a selector followed by "(". Such a call is
    // read under a name of the same length it knows (the name itself is taken from the query). The
    // calls are found in the text first, all at once: found in the tree, each nesting level took a
    // read of the whole query (500 nested calls, 30 KB, held the event loop for 150 s). The tree is
    // still looked at, in case the text missed one.
    this.#source = minMaxRenamed(this.#source);
    let top = parser.parse(this.#source).topNode;
    for (
      let calls = minMaxCalls(top, this.#source);
      calls.length > 0;
      calls = minMaxCalls(top, this.#source)
    ) {
      for (const at of calls)
        this.#source = `${this.#source.slice(0, at)}vector${this.#source.slice(at + 6)}`;
      top = parser.parse(this.#source).topNode;
    }
    this.#rejectSyntaxErrors(top);
    const body = children(top);
    if (body.length === 0) throw this.#error(0, 'no expression found in input');
    return this.#expr(body[0]!);
  }

  #rejectSyntaxErrors(top: SyntaxNode): void {
    let first: SyntaxNode | undefined;
    top.cursor().iterate((ref) => {
      if (first) return false;
      if (ref.type.isError) first = ref.node;
      return undefined;
    });
    if (!first) return;
    const at = first.from;
    const rest = this.#query.slice(at).trimStart();
    const start = this.#query.length - rest.length;
    const context = first.parent?.name;
    if (rest === '' && openParens(this.#query.slice(0, start)) > 0)
      throw this.#error(start, 'unclosed left parenthesis');
    // The grammar knows every function by name, so an unknown one reads as a selector followed by "(".
    const call = rest.startsWith('(')
      ? /[a-zA-Z_:][a-zA-Z0-9_:]*\s*$/.exec(this.#query.slice(0, start))
      : null;
    if (call) throw this.#error(call.index, `unknown function with name ${JSON.stringify(call[0].trim())}`);
    const unexpected = rest === '' ? 'end of input' : describeToken(rest);
    if (context === 'UnquotedLabelMatcher' || context === 'QuotedLabelMatcher' || context === 'LabelMatchers')
      throw this.#error(
        start,
        `unexpected ${unexpected} in label matching, expected ${expectedInMatcher(first)}`,
      );
    if (context === 'GroupingLabels')
      throw this.#error(start, `unexpected ${unexpected} in grouping opts, expected label`);
    throw this.#error(start, `unexpected ${unexpected}`);
  }

  #error(position: number, detail: string): PromqlParseError {
    return new PromqlParseError(this.#query, position, detail);
  }

  #text(node: SyntaxNode): string {
    return this.#source.slice(node.from, node.to);
  }

  #expr(node: SyntaxNode): Expr {
    const span = { start: node.from, end: node.to };
    const kids = children(node);
    switch (node.name) {
      case 'NumberDurationLiteral':
        return { kind: 'number', value: this.#number(node), ...span };
      case 'StringLiteral':
        return { kind: 'string', value: this.#string(node), ...span };
      case 'VectorSelector':
        return this.#vectorSelector(node);
      case 'MatrixSelector': {
        const inner = this.#expr(kids[0]!);
        if (inner.kind !== 'vectorSelector')
          throw this.#error(node.from, 'ranges only allowed for vector selectors');
        if (inner.offsetMs !== 0 || inner.offsetExpr !== undefined || inner.at !== undefined)
          throw this.#error(kids[1]!.from, 'no offset or @ modifiers allowed before range');
        const range = this.#duration(kids[1]!, false);
        return {
          kind: 'matrixSelector',
          selector: inner,
          rangeMs: range.ms,
          ...(range.expr && { rangeExpr: range.expr }),
          ...span,
        };
      }
      case 'SubqueryExpr': {
        const inner = this.#expr(kids[0]!);
        const type = typeOf(inner);
        if (type !== 'vector')
          throw this.#error(
            node.from,
            `subquery is only allowed on instant vector, got ${TYPE_NAMES[type]} instead`,
          );
        const range = this.#duration(kids[1]!, false);
        const step = kids[2] ? this.#duration(kids[2], false) : undefined;
        return {
          kind: 'subquery',
          expr: inner,
          rangeMs: range.ms,
          stepMs: step?.ms,
          offsetMs: 0,
          at: undefined,
          ...(range.expr && { rangeExpr: range.expr }),
          ...(step?.expr && { stepExpr: step.expr }),
          ...span,
        };
      }
      case 'OffsetExpr': {
        const offset = this.#duration(kids[2]!, true);
        const change = { offsetMs: offset.ms, ...(offset.expr && { offsetExpr: offset.expr }) };
        return this.#modify(this.#expr(kids[0]!), change, node, kids[1]!);
      }
      case 'StepInvariantExpr':
        return this.#modify(this.#expr(kids[0]!), { at: this.#at(kids[2]!) }, node, kids[1]!);
      case 'FunctionCall':
        return this.#call(node, kids);
      case 'AggregateExpr':
        return this.#aggregation(node, kids);
      case 'BinaryExpr':
        return this.#binary(node, kids);
      case 'UnaryExpr': {
        const inner = this.#expr(kids[1]!);
        const type = typeOf(inner);
        if (type !== 'scalar' && type !== 'vector')
          throw this.#error(
            node.from,
            'unary expression only allowed on expressions of type scalar or instant vector, got ' +
              JSON.stringify(TYPE_NAMES[type]),
          );
        return { kind: 'unary', op: this.#text(kids[0]!) === '-' ? '-' : '+', expr: inner, ...span };
      }
      case 'ParenExpr':
        return { kind: 'paren', expr: this.#expr(kids[0]!), ...span };
      default:
        throw this.#error(node.from, `unsupported expression ${JSON.stringify(this.#text(node))}`);
    }
  }

  /**
   * Applies `offset` or `@` where Prometheus's grammar binds them: tighter than unary minus and every
   * binary operator, so `-a @ 1` is `-(a @ 1)` and `a or b offset 1m` is `a or (b offset 1m)`. The
   * Lezer grammar attaches the modifier to the whole expression on its left instead.
   */
  #modify(
    e: Expr,
    change: { offsetMs?: number; offsetExpr?: DurationExpr; at?: AtModifier },
    node: SyntaxNode,
    keyword: SyntaxNode,
  ): Expr {
    const end = { end: node.to };
    switch (e.kind) {
      case 'unary':
        return { ...e, expr: this.#modify(e.expr, change, node, keyword), ...end };
      case 'binary':
        return { ...e, rhs: this.#modify(e.rhs, change, node, keyword), ...end };
      case 'vectorSelector':
      case 'matrixSelector':
      case 'subquery': {
        const target = modifiersOf(e);
        if (change.offsetMs !== undefined && (target.offsetMs !== 0 || target.offsetExpr !== undefined))
          throw this.#error(keyword.from, 'offset may not be set multiple times');
        if (change.at !== undefined && target.at !== undefined)
          throw this.#error(keyword.from, '@ <timestamp> may not be set multiple times');
        if (e.kind === 'matrixSelector') return { ...e, selector: { ...e.selector, ...change }, ...end };
        return { ...e, ...change, ...end };
      }
      default:
        throw this.#error(
          node.from,
          `${change.at === undefined ? 'offset' : '@'} modifier must be preceded by an instant vector selector or range vector selector or a subquery`,
        );
    }
  }

  #vectorSelector(node: SyntaxNode, mayMatchEmpty = false): VectorSelector {
    const matchers: LabelMatcher[] = [];
    // The name written before the braces; a name inside them as well is an error, as in Prometheus
    // (two inside, `{"a", __name__="b"}`, are two matchers that both apply).
    let named: string | undefined;
    const twice = (at: number, other: string) =>
      this.#error(
        at,
        `metric name must not be set twice: ${JSON.stringify(named)} or ${JSON.stringify(other)}`,
      );
    for (const kid of children(node)) {
      if (kid.name === 'Identifier') {
        named = this.#text(kid);
        matchers.push({ name: '__name__', type: '=', value: named });
        continue;
      }
      for (const m of children(kid)) {
        // `{"http.server.duration"}`: a lone quoted name is the metric name (Prometheus 3's UTF-8 syntax).
        if (m.name === 'QuotedLabelName') {
          const value = this.#string(children(m)[0]!);
          if (named !== undefined) throw twice(node.from, value);
          matchers.push({ name: '__name__', type: '=', value });
          continue;
        }
        const parts = children(m);
        const op = MATCH_OPS[children(parts[1]!)[0]?.name ?? ''] ?? '=';
        const name =
          m.name === 'QuotedLabelMatcher' ? this.#string(children(parts[0]!)[0]!) : this.#text(parts[0]!);
        const value = this.#string(parts[2]!);
        if (name === '__name__' && named !== undefined) throw twice(node.from, value);
        if (op === '=~' || op === '!~') {
          try {
            regexMatcher(value);
          } catch (error) {
            if (error instanceof RegexError) throw this.#error(parts[2]!.from, error.message);
            throw error;
          }
        }
        matchers.push({ name, type: op, value });
      }
    }
    if (!mayMatchEmpty && !matchers.some((m) => !compileMatcher(m).matchesEmpty))
      throw this.#error(node.from, 'vector selector must contain at least one non-empty matcher');
    return { kind: 'vectorSelector', matchers, offsetMs: 0, at: undefined, start: node.from, end: node.to };
  }

  #call(node: SyntaxNode, kids: SyntaxNode[]): Expr {
    const name = this.#query.slice(kids[0]!.from, kids[0]!.to);
    const signature = FUNCTIONS.get(name);
    if (!signature) throw this.#error(node.from, `unknown function with name ${JSON.stringify(name)}`);
    if (signature.experimental && !this.#experimental)
      throw this.#error(node.from, `function ${JSON.stringify(name)} is not enabled`);
    const argNodes = children(kids[1]!);
    const args = argNodes.map((a, i) => (name === 'info' && i === 1 ? this.#infoSelector(a) : this.#expr(a)));
    const { args: types, optional } = signature;
    const min = optional < 0 ? types.length - 1 : types.length - optional;
    if (args.length < min || (optional >= 0 && args.length > types.length)) {
      const expected =
        optional === 0
          ? `${types.length}`
          : args.length < min
            ? `at least ${min}`
            : `at most ${types.length}`;
      throw this.#error(
        node.from,
        `expected ${expected} argument(s) in call to ${JSON.stringify(name)}, got ${args.length}`,
      );
    }
    args.forEach((arg, i) => {
      this.#expectType(
        arg,
        types[Math.min(i, types.length - 1)]!,
        `call to function ${JSON.stringify(name)}`,
      );
    });
    return { kind: 'call', func: name, args, start: node.from, end: node.to };
  }

  /**
   * info()'s second argument: label matchers in braces and nothing else, which may all match the
   * empty string (`{}`, `{data=~".*"}`), as Prometheus checks it.
   */
  #infoSelector(node: SyntaxNode): Expr {
    if (node.name !== 'VectorSelector') {
      const e = this.#expr(node);
      if (typeOf(e) === 'vector') throw this.#error(node.from, 'expected label selectors only');
      return e;
    }
    if (children(node)[0]?.name === 'Identifier')
      throw this.#error(node.from, 'expected label selectors only, got vector selector instead');
    return this.#vectorSelector(node, true);
  }

  #aggregation(node: SyntaxNode, kids: SyntaxNode[]): Expr {
    // Operators and keywords are case-insensitive in PromQL; function names are not.
    const op = this.#text(kids[0]!).toLowerCase() as AggregateOp;
    if (!AGGREGATE_OPS.has(op)) throw this.#error(node.from, `unsupported aggregation ${JSON.stringify(op)}`);
    if ((op === 'limitk' || op === 'limit_ratio') && !this.#experimental)
      throw this.#error(
        node.from,
        `${op}() is experimental and must be enabled with --enable-feature=${EXPERIMENTAL_FUNCTIONS_FEATURE}`,
      );
    const modifier = kids.find((k) => k.name === 'AggregateModifier');
    const body = kids.find((k) => k.name === 'FunctionCallBody')!;
    const args = children(body).map((a) => this.#expr(a));
    const takesParam =
      op === 'topk' ||
      op === 'bottomk' ||
      op === 'quantile' ||
      op === 'count_values' ||
      op === 'limitk' ||
      op === 'limit_ratio';
    const wanted = takesParam ? 2 : 1;
    if (args.length !== wanted)
      throw this.#error(
        body.from,
        `wrong number of arguments for aggregate expression provided, expected ${wanted}, got ${args.length}`,
      );
    const expr = args[wanted - 1]!;
    const param = takesParam ? args[0] : undefined;
    this.#expectType(expr, 'vector', 'aggregation expression');
    if (param) this.#expectType(param, op === 'count_values' ? 'string' : 'scalar', 'aggregation parameter');
    let grouping: string[] = [];
    let without = false;
    if (modifier) {
      const [keyword, labels] = children(modifier);
      without = keyword!.name === 'Without';
      grouping = labels ? this.#labels(labels) : [];
    }
    return { kind: 'aggregation', op, expr, param, grouping, without, start: node.from, end: node.to };
  }

  #binary(node: SyntaxNode, kids: SyntaxNode[]): Expr {
    const lhs = this.#expr(kids[0]!);
    const rhs = this.#expr(kids.at(-1)!);
    const opNode = kids[1]!;
    const op = BINARY_OPS.get(opNode.name);
    if (!op) throw this.#error(opNode.from, `unsupported operator ${JSON.stringify(this.#text(opNode))}`);
    const returnBool = kids.some((k) => k.name === 'BoolModifier');
    const clause = kids.find((k) => k.name === 'MatchingModifierClause');
    const lt = typeOf(lhs);
    const rt = typeOf(rhs);
    const comparison = op === '==' || op === '!=' || op === '>' || op === '<' || op === '>=' || op === '<=';
    const setOp = op === 'and' || op === 'or' || op === 'unless';
    for (const [side, type] of [
      [lhs, lt],
      [rhs, rt],
    ] as const) {
      if (type !== 'scalar' && type !== 'vector')
        throw this.#error(side.start, 'binary expression must contain only scalar and instant vector types');
    }
    if (returnBool && !comparison)
      throw this.#error(opNode.from, 'bool modifier can only be used on comparison operators');
    if (comparison && !returnBool && lt === 'scalar' && rt === 'scalar')
      throw this.#error(opNode.from, 'comparisons between scalars must use BOOL modifier');
    if (setOp && (lt === 'scalar' || rt === 'scalar'))
      throw this.#error(
        opNode.from,
        `set operator ${JSON.stringify(op)} not allowed in binary scalar expression`,
      );
    let matching: VectorMatching | undefined;
    if (lt === 'vector' && rt === 'vector') {
      matching = { on: false, labels: [], card: setOp ? 'many-to-many' : 'one-to-one', include: [] };
      if (clause) matching = this.#matching(clause, op, setOp);
    } else if (clause) {
      throw this.#error(clause.from, 'vector matching only allowed between instant vectors');
    }
    return { kind: 'binary', op, lhs, rhs, returnBool, matching, start: node.from, end: node.to };
  }

  #matching(clause: SyntaxNode, op: BinaryOp, setOp: boolean): VectorMatching {
    const parts = children(clause);
    const on = parts[0]!.name === 'On';
    const labels = this.#labels(parts[1]!);
    const group = parts[2];
    if (!group) return { on, labels, card: setOp ? 'many-to-many' : 'one-to-one', include: [] };
    if (setOp) throw this.#error(group.from, `no grouping allowed for ${JSON.stringify(op)} operation`);
    const include = parts[3] ? this.#labels(parts[3]) : [];
    for (const label of include) {
      if (on && labels.includes(label))
        throw this.#error(
          group.from,
          `label ${JSON.stringify(label)} must not occur in ON and GROUP clause at once`,
        );
    }
    return { on, labels, card: group.name === 'GroupLeft' ? 'many-to-one' : 'one-to-many', include };
  }

  #labels(node: SyntaxNode): string[] {
    return children(node).map((l) =>
      l.name === 'QuotedLabelName' ? this.#string(children(l)[0]!) : this.#text(l),
    );
  }

  #expectType(e: Expr, want: ValueType, context: string): void {
    const got = typeOf(e);
    if (got !== want)
      throw this.#error(e.start, `expected type ${TYPE_NAMES[want]} in ${context}, got ${TYPE_NAMES[got]}`);
  }

  #number(node: SyntaxNode): number {
    // The grammar reads `- 1` as one signed literal, blanks between sign and digits included.
    const text = this.#text(node).replace(/^([+-])\s+/, '$1');
    const value = parseNumber(text);
    if (Number.isNaN(value) && !/^[+-]?nan$/i.test(text))
      throw this.#error(node.from, `bad number or duration syntax: ${JSON.stringify(text)}`);
    return value;
  }

  #string(node: SyntaxNode): string {
    const value = unquote(this.#text(node));
    if (value === undefined) throw this.#error(node.from, `invalid string literal ${this.#text(node)}`);
    return value;
  }

  /**
   * A duration as written after `[`, `:` or `offset`: its milliseconds, and the expression when it
   * is arithmetic rather than one number (a plain number counts seconds). An expression whose value
   * depends on the query (`step()`, `range()`) is worked out when the query runs (duration-expr.ts);
   * `ms` is 0 until then.
   */
  #duration(node: SyntaxNode, allowNegative: boolean): { ms: number; expr?: DurationExpr } {
    const e = this.#durationExpr(node);
    // One number, or after `offset` a signed one: no expression, whatever the switch says.
    const literal = e.kind === 'unary' && allowNegative ? e.expr : e;
    if (literal.kind === 'literal') {
      // A duration with a unit is whole milliseconds, which the trip through seconds can miss:
      // 1001ms came back 1000.9999999999999 (written back as 1s). A number of seconds is as written.
      const ms = literal.unit ? Math.round(literal.seconds * 1000) : literal.seconds * 1000;
      if (!Number.isFinite(ms))
        throw this.#error(
          literal.start,
          `bad duration syntax: ${JSON.stringify(this.#source.slice(literal.start, literal.end))}`,
        );
      // A range or a step of 0 or less is refused as Prometheus 3's grammar refuses it.
      if (!allowNegative && ms <= 0) throw this.#error(literal.start, 'duration must be greater than 0');
      return { ms: e.kind === 'unary' && e.op === '-' ? -ms : ms };
    }
    if (!this.#durationExpressions)
      throw this.#error(
        node.from,
        `experimental duration expression is not enabled (--enable-feature=${DURATION_EXPRESSIONS_FEATURE})`,
      );
    if (!isConstant(e)) return { ms: 0, expr: e };
    const fail = (at: { start: number }, detail: string): never => {
      throw this.#error(at.start, detail);
    };
    return { ms: durationMs(e, { stepMs: 0, rangeMs: 0 }, allowNegative, fail), expr: e };
  }

  /** The duration expression of a DurationExpr or OffsetDurationExpr node, and of its parts. */
  #durationExpr(node: SyntaxNode): DurationExpr {
    const span = { start: node.from, end: node.to };
    const kids = children(node);
    const first = kids[0];
    switch (first?.name) {
      case 'NumberDurationLiteralInDurationContext': {
        const text = this.#text(first);
        const ms = parseDuration(text);
        const seconds = ms === undefined ? parseNumber(text) : ms / 1000;
        return { kind: 'literal', seconds, unit: ms !== undefined, ...span };
      }
      case 'DurationStep':
        return { kind: 'step', ...span };
      case 'DurationRange':
        return { kind: 'range', ...span };
      case 'DurationMinOf':
      case 'DurationMaxOf':
        return {
          kind: 'binary',
          op: first.name === 'DurationMinOf' ? 'min_of' : 'max_of',
          lhs: this.#durationExpr(kids[1]!),
          rhs: this.#durationExpr(kids[2]!),
          ...span,
        };
      case 'UnaryOp':
        return {
          kind: 'unary',
          op: this.#text(first) === '-' ? '-' : '+',
          expr: this.#durationExpr(kids[1]!),
          ...span,
        };
      case 'DurationExpr': {
        if (kids.length === 1) return { kind: 'paren', expr: this.#durationExpr(first), ...span };
        const op = DURATION_OPS[kids[1]!.name];
        if (op !== undefined)
          return {
            kind: 'binary',
            op,
            lhs: this.#durationExpr(first),
            rhs: this.#durationExpr(kids[2]!),
            ...span,
          };
      }
    }
    throw this.#error(node.from, `unsupported duration expression ${JSON.stringify(this.#text(node))}`);
  }

  #at(node: SyntaxNode): AtModifier {
    if (node.name === 'AtModifierPreprocessors')
      return children(node)[0]!.name === 'AtStart' ? 'start' : 'end';
    const seconds = this.#number(node);
    if (!Number.isFinite(seconds))
      throw this.#error(node.from, `timestamp out of bounds for @ modifier: ${seconds}`);
    return Math.round(seconds * 1000);
  }
}

function modifiersOf(e: VectorSelector | MatrixSelector | Subquery): VectorSelector | Subquery {
  return e.kind === 'matrixSelector' ? e.selector : e;
}

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let kid = node.firstChild; kid; kid = kid.nextSibling) {
    if (kid.name !== 'LineComment') out.push(kid);
  }
  return out;
}

/** Go's strconv rules as Prometheus applies them: integers in any base first, then floats, Inf and NaN. */
export function parseNumber(text: string): number {
  if (/^[+-]?0[0-7]+$/.test(text)) return Number.parseInt(text, 8);
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(text)) return Number.NaN;
  const sign = text.startsWith('-') ? -1 : 1;
  const unsigned = text.replace(/^[+-]/, '');
  if (/^0x[0-9a-f]+$/i.test(unsigned)) return sign * Number.parseInt(unsigned.slice(2), 16);
  if (/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(unsigned)) return sign * Number(unsigned);
  const ms = parseDuration(unsigned);
  return ms === undefined ? Number.NaN : (sign * ms) / 1000;
}

/**
 * Prometheus's lexer reads `5.`, `1.e3` (Go's ParseFloat) and `0X1F` as numbers; the Lezer grammar
 * does not. Rewrites them, outside strings and comments, to `5 `, `1e3 ` and `0x1F`: same length, so
 * every position in an error message still points into the query as written.
 */
function readableNumbers(query: string): string {
  if (!query.includes('.') && !query.includes('0X')) return query;
  return query.replace(
    /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|#[^\n]*|[a-zA-Z_:][a-zA-Z0-9_:]*|0X(?=[0-9a-fA-F])|(\d+)\.(?![\d.])([eE][+-]?\d+)?/g,
    (token, digits: string | undefined, exponent: string | undefined) => {
      if (token === '0X') return '0x';
      return digits === undefined ? token : `${digits}${exponent ?? ''} `;
    },
  );
}

/**
 * `source` with each `min_of(`/`max_of(` outside durations (a range or subquery's brackets, what
 * follows `offset`) and outside strings and comments renamed `vector(`, in one pass over the text.
 */
function minMaxRenamed(source: string): string {
  if (!source.includes('min_of') && !source.includes('max_of')) return source;
  // For each open bracket, whether it holds a duration.
  const open: boolean[] = [];
  // After `offset` (and any sign): the next parenthesis is a duration's.
  let offset = false;
  let out = '';
  let last = 0;
  const token = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|#[^\n]*|[a-zA-Z_:][a-zA-Z0-9_:]*|\s+|./gs;
  for (let m = token.exec(source); m; m = token.exec(source)) {
    const text = m[0];
    if (/^\s/.test(text) || ((text === '+' || text === '-') && offset)) continue;
    const inDuration = open.at(-1) ?? false;
    if (text === '[') open.push(true);
    else if (text === '(') open.push(inDuration || offset);
    else if (text === ']' || text === ')') open.pop();
    else if (
      (text === 'min_of' || text === 'max_of') &&
      !inDuration &&
      !offset &&
      /^\s*\(/.test(source.slice(token.lastIndex, token.lastIndex + 64))
    ) {
      out += `${source.slice(last, m.index)}vector`;
      last = token.lastIndex;
    }
    const name = text.toLowerCase();
    offset =
      name === 'offset' ||
      (offset && (name === 'min_of' || name === 'max_of' || name === 'step' || name === 'range'));
  }
  return out + source.slice(last);
}

/** Where the grammar read `min_of` or `max_of` followed by "(" as a selector: calls outside durations. */
function minMaxCalls(top: SyntaxNode, source: string): number[] {
  const at: number[] = [];
  if (!source.includes('min_of') && !source.includes('max_of')) return at;
  top.cursor().iterate((ref) => {
    if (ref.name !== 'Identifier' || ref.node.parent?.name !== 'VectorSelector') return;
    const name = source.slice(ref.from, ref.to);
    if ((name === 'min_of' || name === 'max_of') && /^\s*\(/.test(source.slice(ref.to))) at.push(ref.from);
  });
  return at;
}

function openParens(text: string): number {
  let depth = 0;
  for (const c of text.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '')) {
    if (c === '(') depth++;
    else if (c === ')') depth--;
  }
  return depth;
}

function describeToken(rest: string): string {
  const word = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(rest);
  if (word) return `identifier ${JSON.stringify(word[0])}`;
  const number = /^[0-9.][0-9a-zA-Z.]*/.exec(rest);
  if (number) return `number ${JSON.stringify(number[0])}`;
  if (/^["'`]/.test(rest)) return 'string';
  return JSON.stringify(rest[0]);
}

function expectedInMatcher(error: SyntaxNode): string {
  const before = error.prevSibling?.name;
  if (before === 'MatchOp') return 'string';
  if (before === 'LabelName' || before === 'QuotedLabelName') return 'label matching operator';
  return 'label name';
}
