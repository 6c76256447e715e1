import { ServerError } from '../errors/server-error.js';
import { type CompiledMatcher, compileMatcher, type LabelMatcher, type MatchType } from './label-matcher.js';

/*
 * The text syntax of label matchers, in both dialects: PromQL's series selectors as `match[]` and the
 * live stream carry them (`http_requests_total{code=~"5.."}`), and Alertmanager's matchers of
 * routes, silences and alert filters (`{severity="critical", team=~"db|web"}`, values quoted or
 * bare). Full PromQL expressions are parsed with Prometheus's own grammar (query/parse.ts).
 */

export class SelectorError extends ServerError {
  constructor(
    readonly selector: string,
    readonly position: number,
    what: string,
  ) {
    super('VIGIL_BAD_SELECTOR', `${what} at position ${position} of ${JSON.stringify(selector)}`);
    this.name = 'SelectorError';
  }
}

const METRIC_NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const OPERATOR = /=~|!~|!=|=/y;

/**
 * A series selector as `match[]` carries it: `up`, `http_requests_total{code=~"5..", job!="x"}`,
 * `{__name__="up"}`. The PromQL engine parses full expressions with Prometheus's own grammar; this is
 * the small subset the series and label APIs need. At least one matcher must not match the empty
 * string, as Prometheus requires, so a selector cannot ask for every series there is.
 */
export function parseSelector(text: string): LabelMatcher[] {
  const matchers: LabelMatcher[] = [];
  let at = skip(text, 0);
  METRIC_NAME.lastIndex = at;
  const name = METRIC_NAME.exec(text);
  if (name) {
    matchers.push({ name: '__name__', type: '=', value: name[0] });
    at = skip(text, METRIC_NAME.lastIndex);
  }
  if (text[at] === '{') {
    at = skip(text, at + 1);
    while (text[at] !== '}') {
      LABEL.lastIndex = at;
      const label = LABEL.exec(text);
      if (!label) throw new SelectorError(text, at, 'expected a label name');
      at = skip(text, LABEL.lastIndex);
      OPERATOR.lastIndex = at;
      const op = OPERATOR.exec(text);
      if (!op) throw new SelectorError(text, at, 'expected one of =, !=, =~, !~');
      at = skip(text, OPERATOR.lastIndex);
      const [value, end] = readString(text, at);
      matchers.push({ name: label[0], type: op[0] as MatchType, value });
      at = skip(text, end);
      if (text[at] === ',') at = skip(text, at + 1);
      else if (text[at] !== '}') throw new SelectorError(text, at, 'expected , or }');
    }
    at = skip(text, at + 1);
  }
  if (at !== text.length) throw new SelectorError(text, at, 'unexpected character');
  const compiled = matchers.map((m) => {
    try {
      return compileMatcher(m);
    } catch (error) {
      if (error instanceof SyntaxError) throw new SelectorError(text, 0, (error.cause as Error).message);
      throw error;
    }
  });
  if (!compiled.some((m) => !m.matchesEmpty)) {
    throw new SelectorError(
      text,
      0,
      'a selector needs a metric name or a matcher that does not match the empty string',
    );
  }
  return matchers;
}

function skip(text: string, at: number): number {
  while (at < text.length && /\s/.test(text[at]!)) at++;
  return at;
}

/** A PromQL string literal: "...", '...' with Go escapes, or `...` raw. */
function readString(text: string, at: number): [string, number] {
  const quote = text[at];
  if (quote !== '"' && quote !== "'" && quote !== '`')
    throw new SelectorError(text, at, 'expected a quoted string');
  let out = '';
  let i = at + 1;
  for (; i < text.length && text[i] !== quote; i++) {
    const c = text[i]!;
    if (c === '\\' && quote !== '`') {
      const next = text[++i];
      const escaped = next === undefined ? undefined : ESCAPES[next];
      if (escaped === undefined) throw new SelectorError(text, i, `unknown escape \\${next ?? ''}`);
      out += escaped;
    } else {
      out += c;
    }
  }
  if (i >= text.length) throw new SelectorError(text, at, 'unterminated string');
  return [out, i + 1];
}

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  '"': '"',
  "'": "'",
  '`': '`',
};

export class MatcherError extends ServerError {
  constructor(message: string) {
    super('VIGIL_BAD_MATCHER', message);
    this.name = 'MatcherError';
  }
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A matcher of Alertmanager's dialect (routes, inhibit rules, silences, alert filters), checked and compiled. */
export function alertmanagerMatcher(name: string, type: MatchType, value: string): CompiledMatcher {
  if (!LABEL_NAME.test(name)) throw new MatcherError(`"${name}" is not a valid label name`);
  try {
    return compileMatcher({ name, type, value }, 'alertmanager');
  } catch (error) {
    if (error instanceof SyntaxError) throw new MatcherError((error.cause as Error).message);
    throw error;
  }
}

/** `name="value"`, as Go's `%s%s%q` writes it in route keys and group keys. */
export function matcherString(m: LabelMatcher): string {
  return `${m.name}${m.type}${JSON.stringify(m.value)}`;
}

/** Alertmanager's `Matchers.String()` after `sort.Sort`: by name, then value, then type. */
export function matchersString(ms: readonly LabelMatcher[]): string {
  const sorted = [...ms].sort(
    (a, b) =>
      compare(a.name, b.name) || compare(a.value, b.value) || TYPES.indexOf(a.type) - TYPES.indexOf(b.type),
  );
  return `{${sorted.map(matcherString).join(',')}}`;
}

const TYPES: readonly MatchType[] = ['=', '!=', '=~', '!~'];

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const ITEM = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|[^,"}]*?)\s*(?:,|$)/;

/**
 * Matchers in Alertmanager's text syntax: `{severity="critical", team=~"db|web"}` or the same
 * without braces, values quoted (Go string escapes) or bare.
 */
export function parseMatchers(text: string): CompiledMatcher[] {
  let rest = text.trim();
  if (rest.startsWith('{')) {
    if (!rest.endsWith('}')) throw new MatcherError(`${JSON.stringify(text)}: missing closing "}"`);
    rest = rest.slice(1, -1).trim();
  }
  const out: CompiledMatcher[] = [];
  while (rest.length > 0) {
    const m = ITEM.exec(rest);
    if (!m) {
      throw new MatcherError(
        `${JSON.stringify(text)}: expected name="value" with =, !=, =~ or !~ at ${JSON.stringify(rest)}`,
      );
    }
    const raw = m[3]!;
    let value = raw;
    if (raw.startsWith('"')) {
      try {
        value = JSON.parse(raw) as string;
      } catch {
        throw new MatcherError(`${JSON.stringify(text)}: ${raw} is not a valid quoted string`);
      }
    }
    out.push(alertmanagerMatcher(m[1]!, m[2] as MatchType, value));
    rest = rest.slice(m[0].length).trim();
  }
  return out;
}
