import type { LabelMatcher } from '../store/series-store.js';
import type { AtModifier, Binary, DurationExpr, Expr, VectorSelector } from './ast.js';
import { formatDuration } from './duration.js';

/** Prometheus splits an expression over lines when its one-line form is longer than this. */
const MAX_LINE = 100;
const INDENT = '  ';
const LEGACY_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LEGACY_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * An expression written as Prometheus's `/api/v1/format_query` and `promtool promql format` write it
 * (the parser's `Prettify`): on one line in its canonical form when that fits in 100 characters,
 * otherwise split node by node, each child indented two spaces under its parent.
 */
export function formatPromql(e: Expr): string {
  return pretty(e, 0);
}

/** The canonical one-line form (Prometheus's `String()` of a node). */
export function promqlString(e: Expr): string {
  switch (e.kind) {
    case 'number':
      return goFloat(e.value);
    case 'string':
      return goQuote(e.value);
    case 'vectorSelector':
      return selectorString(e) + atString(e.at) + offsetString(e.offsetMs, e.offsetExpr);
    case 'matrixSelector': {
      const { at, offsetMs, offsetExpr } = e.selector;
      const range = e.rangeExpr ? durationString(e.rangeExpr) : formatDuration(e.rangeMs);
      return `${selectorString(e.selector)}[${range}]${atString(at)}${offsetString(offsetMs, offsetExpr)}`;
    }
    case 'subquery':
      return promqlString(e.expr) + subquerySuffix(e);
    case 'call':
      return `${e.func}(${e.args.map(promqlString).join(', ')})`;
    case 'aggregation': {
      const param = e.param ? `${promqlString(e.param)}, ` : '';
      return `${aggregationHead(e)}(${param}${promqlString(e.expr)})`;
    }
    case 'binary':
      return `${promqlString(e.lhs)} ${binaryOperator(e)} ${promqlString(e.rhs)}`;
    case 'unary': {
      const folded = foldedNumber(e);
      return folded === undefined ? `${e.op}${promqlString(e.expr)}` : goFloat(folded);
    }
    case 'paren':
      return `(${promqlString(e.expr)})`;
  }
}

function pretty(e: Expr, level: number): string {
  const pad = INDENT.repeat(level);
  const line = promqlString(e);
  if (line.length <= MAX_LINE) return e.kind === 'subquery' ? line : pad + line;
  switch (e.kind) {
    case 'aggregation': {
      const param = e.param ? `${pretty(e.param, level + 1)},\n` : '';
      return `${pad}${aggregationHead(e)}(\n${param}${pretty(e.expr, level + 1)}\n${pad})`;
    }
    case 'binary':
      return `${pretty(e.lhs, level + 1)}\n${pad}${binaryOperator(e)}\n${pretty(e.rhs, level + 1)}`;
    case 'call':
      return `${pad}${e.func}(\n${e.args.map((a) => pretty(a, level + 1)).join(',\n')}\n${pad})`;
    case 'paren':
      return `${pad}(\n${pretty(e.expr, level + 1)}\n${pad})`;
    case 'subquery':
      return pretty(e.expr, level) + subquerySuffix(e);
    case 'unary':
      return foldedNumber(e) === undefined ? `${pad}${e.op}${pretty(e.expr, level).trim()}` : pad + line;
    default:
      return pad + line;
  }
}

/** Prometheus's parser turns a sign in front of a number into the number's own sign. */
function foldedNumber(e: Expr & { kind: 'unary' }): number | undefined {
  if (e.expr.kind === 'number') return e.op === '-' ? -e.expr.value : e.expr.value;
  if (e.expr.kind !== 'unary') return undefined;
  const inner = foldedNumber(e.expr);
  return inner === undefined ? undefined : e.op === '-' ? -inner : inner;
}

function aggregationHead(e: Expr & { kind: 'aggregation' }): string {
  if (e.without) return `${e.op} without (${e.grouping.map(labelName).join(', ')}) `;
  if (e.grouping.length > 0) return `${e.op} by (${e.grouping.map(labelName).join(', ')}) `;
  return e.op;
}

function binaryOperator(e: Binary): string {
  let out = e.op + (e.returnBool ? ' bool' : '');
  const m = e.matching;
  if (m && (m.on || m.labels.length > 0)) {
    out += ` ${m.on ? 'on' : 'ignoring'} (${m.labels.map(labelName).join(', ')})`;
    if (m.card === 'many-to-one' || m.card === 'one-to-many')
      out += ` group_${m.card === 'many-to-one' ? 'left' : 'right'} (${m.include.map(labelName).join(', ')})`;
  }
  return out;
}

function subquerySuffix(e: Expr & { kind: 'subquery' }): string {
  const range = e.rangeExpr ? durationString(e.rangeExpr) : formatDuration(e.rangeMs);
  const step = e.stepExpr ? durationString(e.stepExpr) : e.stepMs ? formatDuration(e.stepMs) : '';
  return `[${range}:${step}]${atString(e.at)}${offsetString(e.offsetMs, e.offsetExpr)}`;
}

/** A duration expression as Prometheus's printer writes it: operators between spaces, parentheses kept. */
function durationString(e: DurationExpr): string {
  switch (e.kind) {
    case 'literal':
      return e.unit ? formatDuration(e.seconds * 1000) : goFloat(e.seconds);
    case 'step':
    case 'range':
      return `${e.kind}()`;
    case 'paren':
      return `(${durationString(e.expr)})`;
    case 'unary':
      return e.op === '-' ? `-${durationString(e.expr)}` : durationString(e.expr);
    case 'binary':
      if (e.op === 'min_of' || e.op === 'max_of')
        return `${e.op}(${durationString(e.lhs)}, ${durationString(e.rhs)})`;
      return `${durationString(e.lhs)} ${e.op} ${durationString(e.rhs)}`;
  }
}

/**
 * `name{a="x",b=~"y"}`: the name matcher folded into the name, the others sorted as text. Only a
 * lone `__name__` matcher folds: beside another one, a name before the braces would not parse
 * ("metric name must not be set twice").
 */
function selectorString(e: VectorSelector): string {
  const names = e.matchers.filter((m) => m.name === '__name__');
  const nameMatcher =
    names.length === 1 && names[0]!.type === '=' && names[0]!.value !== '' ? names[0] : undefined;
  const name = nameMatcher?.value ?? '';
  const bare = LEGACY_METRIC_NAME.test(name);
  const others = e.matchers.filter((m) => m !== nameMatcher).map(matcherString);
  others.sort();
  if (name !== '' && !bare) others.unshift(goQuote(name));
  const prefix = bare ? name : '';
  // `{}` has no matcher at all, as info()'s second argument may have.
  return others.length === 0 && prefix !== '' ? prefix : `${prefix}{${others.join(',')}}`;
}

function matcherString(m: LabelMatcher): string {
  return `${labelName(m.name)}${m.type}${goQuote(m.value)}`;
}

function labelName(name: string): string {
  return LEGACY_LABEL_NAME.test(name) ? name : goQuote(name);
}

function atString(at: AtModifier | undefined): string {
  if (at === undefined) return '';
  if (at === 'start' || at === 'end') return ` @ ${at}()`;
  return ` @ ${(at / 1000).toFixed(3)}`;
}

function offsetString(ms: number, expr: DurationExpr | undefined): string {
  if (expr) return ` offset ${durationString(expr)}`;
  if (ms === 0) return '';
  return ms > 0 ? ` offset ${formatDuration(ms)}` : ` offset -${formatDuration(-ms)}`;
}

/** A float as Go's `fmt.Sprint` writes one: shortest digits, exponent form below 1e-4 and from 1e6. */
function goFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mantissa, exponentText] = v.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 6) return String(v);
  const digits = String(Math.abs(exponent)).padStart(2, '0');
  return `${mantissa}e${exponent < 0 ? '-' : '+'}${digits}`;
}

/** A string as Go's `strconv.Quote` writes one: double quotes, printable characters kept as they are. */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
