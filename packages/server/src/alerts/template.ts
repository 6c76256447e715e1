import { RegexError, type SearchRegex, searchRegex } from '../regex/regex-matcher.js';
import type { SeriesLabels } from '../store/series-store.js';
import { goString, sprintf } from './go-format.js';
import {
  humanize,
  humanize1024,
  humanizeDuration,
  humanizePercentage,
  humanizeTimestamp,
} from './humanize.js';
import {
  type Operand,
  type Pipeline,
  parseTemplate,
  TemplateError,
  type TemplateNode,
} from './template-parser.js';

/** What an alert's labels and annotations are expanded with, as Prometheus's template data. */
export interface TemplateData {
  readonly labels: SeriesLabels;
  readonly externalLabels: SeriesLabels;
  readonly externalURL: string;
  readonly value: number;
}

/** Prometheus prepends `{{$labels := .Labels}}...` to every rule template; these are those variables. */
const PREDECLARED = ['$', '$labels', '$externalLabels', '$externalURL', '$value'];

/**
 * The most characters one rendering may produce. Prometheus sets none, but a `printf "%99999999d"` in an
 * annotation would render 100 MB at every evaluation; past this the rendering fails, and the alert
 * shows `<error expanding template: ...>` in its place, as for any template failure.
 */
export const TEMPLATE_OUTPUT_LIMIT = 64 * 1024;

/** A template parsed once at load; `render` never throws for data, only for what Go fails at run time. */
export class Template {
  readonly source: string;
  readonly #nodes: readonly TemplateNode[];
  /** Text without actions renders as itself; most label values are. */
  readonly #plain: boolean;

  /** Throws a TemplateError naming what is wrong. */
  constructor(source: string) {
    this.source = source;
    this.#nodes = parseTemplate(source, PREDECLARED);
    this.#plain = !source.includes('{{');
  }

  /** Throws a TemplateError for run-time failures (a non-number given to `humanize`, mismatched comparisons). */
  render(data: TemplateData): string {
    if (this.#plain) return this.source;
    const dot = {
      Labels: data.labels,
      ExternalLabels: data.externalLabels,
      ExternalURL: data.externalURL,
      Value: data.value,
    };
    const vars = new Map<string, unknown>([
      ['$', dot],
      ['$labels', data.labels],
      ['$externalLabels', data.externalLabels],
      ['$externalURL', data.externalURL],
      ['$value', data.value],
    ]);
    const out = new Output();
    walk(this.#nodes, dot, vars, out);
    return out.text();
  }
}

export { TemplateError };

/** The rendering so far, refused as soon as it passes TEMPLATE_OUTPUT_LIMIT. */
class Output {
  readonly #parts: string[] = [];
  #length = 0;

  push(text: string): void {
    this.#length += text.length;
    if (this.#length > TEMPLATE_OUTPUT_LIMIT)
      throw new TemplateError(
        `the output is longer than ${TEMPLATE_OUTPUT_LIMIT} characters, the limit of a template`,
      );
    this.#parts.push(text);
  }

  text(): string {
    return this.#parts.join('');
  }
}

function walk(nodes: readonly TemplateNode[], dot: unknown, vars: Map<string, unknown>, out: Output): void {
  for (const node of nodes) {
    if (node.kind === 'text') out.push(node.text);
    else if (node.kind === 'action') {
      const value = runPipeline(node.pipe, dot, vars);
      if (!node.pipe.declare) out.push(goString(value));
    } else walk(truthy(runPipeline(node.pipe, dot, vars)) ? node.whenTrue : node.otherwise, dot, vars, out);
  }
}

function runPipeline(pipe: Pipeline, dot: unknown, vars: Map<string, unknown>): unknown {
  let value: unknown;
  pipe.commands.forEach((command, i) => {
    const [head, ...rest] = command;
    if (head!.kind !== 'func') {
      value = evalOperand(head!, dot, vars);
      return;
    }
    const args = rest.map((a) => evalOperand(a, dot, vars));
    if (i > 0) args.push(value);
    value = call(head!.name, args);
  });
  if (pipe.declare) vars.set(pipe.declare, value);
  return value;
}

function evalOperand(op: Operand, dot: unknown, vars: Map<string, unknown>): unknown {
  switch (op.kind) {
    case 'literal':
      return op.value;
    case 'var':
      return fields(vars.get(op.name), op.fields);
    case 'dot':
      return fields(dot, op.fields);
    case 'pipe':
      return fields(runPipeline(op.pipe, dot, vars), op.fields);
    case 'func':
      return call(op.name, []);
  }
}

/** Field access as Go does on a map: a missing key is "no value" (printed `<no value>`), not an error. */
function fields(value: unknown, names: readonly string[]): unknown {
  let v = value;
  for (const name of names) {
    if (v === null || typeof v !== 'object')
      throw new TemplateError(`can't evaluate field ${name} in type ${goType(v)}`);
    v = Object.hasOwn(v, name) ? (v as Record<string, unknown>)[name] : undefined;
  }
  return v;
}

function call(name: string, args: unknown[]): unknown {
  switch (name) {
    case 'humanize':
      return humanize(toFloat(name, args));
    case 'humanize1024':
      return humanize1024(toFloat(name, args));
    case 'humanizeDuration':
      return humanizeDuration(toFloat(name, args));
    case 'humanizePercentage':
      return humanizePercentage(toFloat(name, args));
    case 'humanizeTimestamp':
      return humanizeTimestamp(toFloat(name, args));
    case 'printf':
      return sprintf(String(arity(name, args, 1, Infinity)[0]), args.slice(1), TEMPLATE_OUTPUT_LIMIT);
    case 'print':
      return args.map(goString).join(args.every((a) => typeof a === 'string') ? '' : ' ');
    case 'title':
      return str(name, args).replace(
        /(^|[^\p{L}\p{N}_'])(\p{L})/gu,
        (_, sep: string, c: string) => sep + c.toUpperCase(),
      );
    case 'toUpper':
      return str(name, args).toUpperCase();
    case 'toLower':
      return str(name, args).toLowerCase();
    case 'match': {
      const [pattern, text] = arity(name, args, 2, 2);
      return regex(String(pattern)).test(String(text));
    }
    case 'reReplaceAll': {
      const [pattern, replacement, text] = arity(name, args, 3, 3);
      return regex(String(pattern)).replaceAll(String(text), String(replacement));
    }
    case 'len': {
      const [v] = arity(name, args, 1, 1);
      if (typeof v === 'string') return v.length;
      if (v && typeof v === 'object') return Object.keys(v).length;
      throw new TemplateError(`len of type ${goType(v)}`);
    }
    case 'index': {
      const [map, key] = arity(name, args, 2, 2);
      return fields(map, [String(key)]);
    }
    case 'not':
      return !truthy(arity(name, args, 1, 1)[0]);
    case 'and': {
      arity(name, args, 1, Infinity);
      return args.find((a) => !truthy(a)) ?? args.at(-1);
    }
    case 'or': {
      arity(name, args, 1, Infinity);
      return args.find(truthy) ?? args.at(-1);
    }
    case 'eq': {
      const [first, ...others] = arity(name, args, 2, Infinity);
      return others.some((o) => compare(name, first, o) === 0);
    }
    default: {
      const [a, b] = arity(name, args, 2, 2);
      const c = compare(name, a, b);
      return name === 'ne'
        ? c !== 0
        : name === 'lt'
          ? c < 0
          : name === 'le'
            ? c <= 0
            : name === 'gt'
              ? c > 0
              : c >= 0;
    }
  }
}

/** Numbers compare with numbers (Go's int/float distinction is not kept), strings with strings. */
function compare(name: string, a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : a < b ? -1 : 1;
  if (typeof a === 'string' && typeof b === 'string') return a === b ? 0 : a < b ? -1 : 1;
  if (typeof a === 'boolean' && typeof b === 'boolean' && (name === 'eq' || name === 'ne'))
    return a === b ? 0 : 1;
  throw new TemplateError(
    `error calling ${name}: incompatible types for comparison (${goType(a)} and ${goType(b)})`,
  );
}

function arity(name: string, args: unknown[], min: number, max: number): unknown[] {
  if (args.length < min || args.length > max)
    throw new TemplateError(
      `wrong number of args for ${name}: want ${min === max ? min : `at least ${min}`} got ${args.length}`,
    );
  return args;
}

function str(name: string, args: unknown[]): string {
  return goString(arity(name, args, 1, 1)[0]);
}

/** Prometheus's convertToFloat: numbers, and strings that parse as one. */
function toFloat(name: string, args: unknown[]): number {
  const [v] = arity(name, args, 1, 1);
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const n = /^\s*[+-]?(inf|infinity)\s*$/i.test(v) ? (v.includes('-') ? -Infinity : Infinity) : Number(v);
    if (v.trim() !== '' && !Number.isNaN(n)) return n;
    if (/^\s*nan\s*$/i.test(v)) return Number.NaN;
  }
  throw new TemplateError(
    `error calling ${name}: strconv.ParseFloat: parsing ${JSON.stringify(goString(v))}: invalid syntax`,
  );
}

/** Unanchored, as Go's regexp.MatchString and ReplaceAllString that Prometheus's `match` and `reReplaceAll` call. */
function regex(pattern: string): SearchRegex {
  try {
    return searchRegex(pattern);
  } catch (error) {
    if (error instanceof RegexError) throw new TemplateError(error.message);
    throw error;
  }
}

function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function goType(v: unknown): string {
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v === undefined || v === null) return 'nil';
  return 'map[string]string';
}
