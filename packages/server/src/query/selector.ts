import { ServerError } from '../errors/server-error.js';
import { RegexError, regexMatcher } from '../regex/regex-matcher.js';
import type { LabelMatcher, MatchType } from '../store/series-store.js';

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

const NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
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
  NAME.lastIndex = at;
  const name = NAME.exec(text);
  if (name) {
    matchers.push({ name: '__name__', type: '=', value: name[0] });
    at = skip(text, NAME.lastIndex);
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
  for (const m of matchers) {
    if (m.type === '=~' || m.type === '!~') {
      try {
        regexMatcher(m.value);
      } catch (error) {
        if (error instanceof RegexError) throw new SelectorError(text, 0, error.message);
        throw error;
      }
    }
  }
  if (!matchers.some((m) => !matchesEmpty(m))) {
    throw new SelectorError(
      text,
      0,
      'a selector needs a metric name or a matcher that does not match the empty string',
    );
  }
  return matchers;
}

export function matchesEmpty(m: LabelMatcher): boolean {
  switch (m.type) {
    case '=':
      return m.value === '';
    case '!=':
      return m.value !== '';
    case '=~':
      return regexMatcher(m.value).matchesEmpty;
    case '!~':
      return !regexMatcher(m.value).matchesEmpty;
  }
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
