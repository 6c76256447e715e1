import { ServerError } from '../errors/server-error.js';
/**
 * The subset of Go's text/template that Prometheus rule files use, parsed once when the rule file
 * loads so a mistake is a load error with its place, not a broken annotation at 3 a.m.:
 * actions with pipelines (`{{ $value | humanize }}`), variables and fields (`$labels.job`,
 * `.Labels.job`), function calls with literal arguments (`printf "%.2f" $value`), parentheses,
 * `{{ if }} / {{ else if }} / {{ else }} / {{ end }}`, `:=` declarations, comments and `{{-`/`-}}` trimming.
 * `range`, `with`, `define` and `template` are not supported and say so.
 */

export type Operand =
  | { readonly kind: 'var'; readonly name: string; readonly fields: readonly string[] }
  | { readonly kind: 'dot'; readonly fields: readonly string[] }
  | { readonly kind: 'literal'; readonly value: string | number | boolean }
  | { readonly kind: 'func'; readonly name: string }
  | { readonly kind: 'pipe'; readonly pipe: Pipeline; readonly fields: readonly string[] };

export type Command = readonly Operand[];

export interface Pipeline {
  readonly declare: string | undefined;
  readonly commands: readonly Command[];
}

export type TemplateNode =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'action'; readonly pipe: Pipeline }
  | {
      readonly kind: 'if';
      readonly pipe: Pipeline;
      readonly whenTrue: readonly TemplateNode[];
      readonly otherwise: readonly TemplateNode[];
    };

export class TemplateError extends ServerError {
  constructor(message: string) {
    super('VIGIL_TEMPLATE', message);
    this.name = 'TemplateError';
  }
}

/** Functions the renderer knows; any other name is an error at load time, as Go reports it at parse. */
export const TEMPLATE_FUNCTIONS = new Set([
  'humanize',
  'humanize1024',
  'humanizeDuration',
  'humanizePercentage',
  'humanizeTimestamp',
  'printf',
  'print',
  'title',
  'toUpper',
  'toLower',
  'match',
  'reReplaceAll',
  'len',
  'index',
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'and',
  'or',
  'not',
]);

/** Fields of the data Prometheus passes to alert templates. */
const ROOT_FIELDS = new Set(['Labels', 'ExternalLabels', 'ExternalURL', 'Value']);

type Token = { t: 'str' | 'num' | 'ident' | 'var' | 'field'; v: string } | { t: '(' | ')' | '|' | ':=' };

export function parseTemplate(text: string, predeclared: readonly string[]): TemplateNode[] {
  const vars = new Set(predeclared);
  const root: TemplateNode[] = [];
  // Open `if` blocks: where their branches collect nodes.
  const stack: {
    pipe: Pipeline;
    whenTrue: TemplateNode[];
    otherwise: TemplateNode[];
    inElse: boolean;
    chained: boolean;
  }[] = [];
  const out = () => {
    const top = stack.at(-1);
    return top ? (top.inElse ? top.otherwise : top.whenTrue) : root;
  };
  let at = 0;
  let trimNext = false;
  while (at < text.length) {
    const open = text.indexOf('{{', at);
    let chunk = text.slice(at, open < 0 ? text.length : open);
    if (trimNext) chunk = chunk.replace(/^\s+/, '');
    trimNext = false;
    if (open < 0) {
      if (chunk) out().push({ kind: 'text', text: chunk });
      break;
    }
    const close = text.indexOf('}}', open + 2);
    if (close < 0)
      throw new TemplateError(`unclosed action starting at ${JSON.stringify(text.slice(open, open + 20))}`);
    let inner = text.slice(open + 2, close);
    if (/^-\s/.test(inner)) {
      chunk = chunk.replace(/\s+$/, '');
      inner = inner.slice(1);
    }
    if (/\s-$/.test(inner)) {
      trimNext = true;
      inner = inner.slice(0, -1);
    }
    if (chunk) out().push({ kind: 'text', text: chunk });
    at = close + 2;
    const body = inner.trim();
    if (body.startsWith('/*')) {
      if (!body.endsWith('*/')) throw new TemplateError('unclosed comment');
      continue;
    }
    const tokens = lex(body);
    const first = tokens[0];
    const keyword = first?.t === 'ident' ? first.v : undefined;
    if (keyword === 'if') {
      stack.push({
        pipe: parsePipeline(tokens.slice(1), vars),
        whenTrue: [],
        otherwise: [],
        inElse: false,
        chained: false,
      });
    } else if (keyword === 'else') {
      const top = stack.at(-1);
      if (!top || top.inElse) throw new TemplateError('unexpected {{else}}');
      top.inElse = true;
      const second = tokens[1];
      if (second?.t === 'ident' && second.v === 'if') {
        // `else if` opens a nested `if` that the same `end` closes.
        stack.push({
          pipe: parsePipeline(tokens.slice(2), vars),
          whenTrue: [],
          otherwise: [],
          inElse: false,
          chained: true,
        });
      } else if (tokens.length > 1) throw new TemplateError('unexpected words after {{else}}');
    } else if (keyword === 'end') {
      if (tokens.length > 1) throw new TemplateError('unexpected words after {{end}}');
      let block = stack.pop();
      if (!block) throw new TemplateError('unexpected {{end}}');
      for (;;) {
        const node: TemplateNode = {
          kind: 'if',
          pipe: block.pipe,
          whenTrue: block.whenTrue,
          otherwise: block.otherwise,
        };
        const parent = stack.at(-1);
        if (!block.chained || !parent) {
          (parent ? (parent.inElse ? parent.otherwise : parent.whenTrue) : root).push(node);
          break;
        }
        parent.otherwise.push(node);
        block = stack.pop()!;
      }
    } else if (
      keyword &&
      ['range', 'with', 'define', 'template', 'block', 'break', 'continue'].includes(keyword)
    ) {
      throw new TemplateError(`{{${keyword}}} is not supported by vigil's templates`);
    } else {
      if (tokens.length === 0) throw new TemplateError('missing value for command');
      out().push({ kind: 'action', pipe: parsePipeline(tokens, vars) });
    }
  }
  if (stack.length > 0) throw new TemplateError('unexpected EOF: {{if}} without {{end}}');
  return root;
}

function parsePipeline(tokens: Token[], vars: Set<string>): Pipeline {
  let declare: string | undefined;
  let rest = tokens;
  const [a, b] = tokens;
  if (a?.t === 'var' && b?.t === ':=') {
    if (a.v.includes('.')) throw new TemplateError(`cannot declare ${a.v}`);
    declare = a.v;
    rest = tokens.slice(2);
  }
  const state = { tokens: rest, at: 0 };
  const pipe = pipeline(state, vars, declare);
  if (state.at < state.tokens.length)
    throw new TemplateError(`unexpected ${describe(state.tokens[state.at]!)}`);
  if (declare) vars.add(declare);
  return pipe;
}

function pipeline(s: { tokens: Token[]; at: number }, vars: Set<string>, declare?: string): Pipeline {
  const commands: Command[] = [];
  for (;;) {
    const command: Operand[] = [];
    while (s.at < s.tokens.length) {
      const tok = s.tokens[s.at]!;
      if (tok.t === '|' || tok.t === ')') break;
      s.at++;
      command.push(operand(tok, s, vars));
    }
    if (command.length === 0) throw new TemplateError('missing value for command');
    if (command[0]!.kind !== 'func' && command.length > 1)
      throw new TemplateError(`can't give argument to non-function ${describeOperand(command[0]!)}`);
    if (commands.length > 0 && command[0]!.kind !== 'func')
      throw new TemplateError(`non-function ${describeOperand(command[0]!)} in pipeline`);
    commands.push(command);
    if (s.tokens[s.at]?.t !== '|') break;
    s.at++;
  }
  return { declare, commands };
}

function operand(tok: Token, s: { tokens: Token[]; at: number }, vars: Set<string>): Operand {
  switch (tok.t) {
    case 'str':
      return { kind: 'literal', value: tok.v };
    case 'num':
      return { kind: 'literal', value: Number(tok.v) };
    case 'ident':
      if (tok.v === 'true' || tok.v === 'false') return { kind: 'literal', value: tok.v === 'true' };
      if (!TEMPLATE_FUNCTIONS.has(tok.v))
        throw new TemplateError(`function ${JSON.stringify(tok.v)} not defined`);
      return { kind: 'func', name: tok.v };
    case 'var': {
      const [name, ...fields] = tok.v.split('.');
      if (!vars.has(name!)) throw new TemplateError(`undefined variable "${name}"`);
      return { kind: 'var', name: name!, fields };
    }
    case 'field': {
      const fields = tok.v.split('.').slice(1).filter(Boolean);
      if (fields[0] !== undefined && !ROOT_FIELDS.has(fields[0]))
        throw new TemplateError(
          `can't evaluate field ${fields[0]}: the data has only ${[...ROOT_FIELDS].join(', ')}`,
        );
      return { kind: 'dot', fields };
    }
    case '(': {
      const pipe = pipeline(s, vars);
      if (s.tokens[s.at]?.t !== ')') throw new TemplateError('unclosed left paren');
      s.at++;
      const next = s.tokens[s.at];
      let fields: string[] = [];
      if (next?.t === 'field') {
        fields = next.v.split('.').slice(1);
        s.at++;
      }
      return { kind: 'pipe', pipe, fields };
    }
    default:
      throw new TemplateError(`unexpected ${describe(tok)}`);
  }
}

function lex(body: string): Token[] {
  const tokens: Token[] = [];
  const re =
    /\s*(?:("(?:[^"\\]|\\.)*")|(`[^`]*`)|('(?:[^'\\]|\\.)')|([+-]?(?:0x[0-9a-fA-F]+|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))|(\$[a-zA-Z0-9_]*(?:\.[a-zA-Z0-9_]+)*)|((?:\.[a-zA-Z0-9_]+)+|\.)|([a-zA-Z_][a-zA-Z0-9_]*)|(:=|\(|\)|\|))/y;
  let at = 0;
  while (at < body.length) {
    re.lastIndex = at;
    const m = re.exec(body);
    if (!m || m[0].length === 0) {
      if (/^\s*$/.test(body.slice(at))) break;
      throw new TemplateError(`unexpected ${JSON.stringify(body.slice(at).trim()[0])} in action`);
    }
    at = re.lastIndex;
    if (m[1]) tokens.push({ t: 'str', v: unquoteGo(m[1]) });
    else if (m[2]) tokens.push({ t: 'str', v: m[2].slice(1, -1) });
    else if (m[3]) tokens.push({ t: 'num', v: String(unquoteGo(`"${m[3].slice(1, -1)}"`).codePointAt(0)) });
    else if (m[4]) tokens.push({ t: 'num', v: m[4] });
    else if (m[5]) tokens.push({ t: 'var', v: m[5] });
    else if (m[6]) tokens.push({ t: 'field', v: m[6] });
    else if (m[7]) tokens.push({ t: 'ident', v: m[7] });
    else if (m[8]) tokens.push({ t: m[8] as '(' | ')' | '|' | ':=' });
  }
  return tokens;
}

function unquoteGo(quoted: string): string {
  try {
    return JSON.parse(
      quoted.replace(
        /\\([abfv'])/g,
        (_, c: string) => ({ a: '\\u0007', b: '\\b', f: '\\f', v: '\\u000b', "'": "'" })[c] ?? c,
      ),
    );
  } catch {
    throw new TemplateError(`invalid string ${quoted}`);
  }
}

function describe(tok: Token): string {
  return 'v' in tok ? JSON.stringify(tok.v) : JSON.stringify(tok.t);
}

function describeOperand(op: Operand): string {
  switch (op.kind) {
    case 'var':
      return [op.name, ...op.fields].join('.');
    case 'dot':
      return `.${op.fields.join('.')}`;
    case 'literal':
      return JSON.stringify(op.value);
    case 'func':
      return op.name;
    case 'pipe':
      return '(...)';
  }
}
