import { ExpositionParseError } from './exposition-parse-error.js';
import { parseMillis, parseNumber, parseSecondsAsMillis } from './parse-number.js';

export const NAME_PATTERN = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL_PATTERN = '[a-zA-Z_][a-zA-Z0-9_]*';

/**
 * The tokens of one line of the Prometheus text format or OpenMetrics, read left to right with
 * `charCodeAt` and no regular expression, as the parser has to keep up with a scrape (about a
 * microsecond a line). The text format allows blanks and tabs around tokens, as Go's parser does;
 * OpenMetrics allows exactly one space where its ABNF has SP and none elsewhere.
 */
export class LineReader {
  readonly #openMetrics: boolean;
  #line = '';
  #number = 0;
  #pos = 0;

  constructor(openMetrics: boolean) {
    this.#openMetrics = openMetrics;
  }

  start(line: string, number: number): void {
    this.#line = line;
    this.#number = number;
    this.#pos = 0;
  }

  get line(): string {
    return this.#line;
  }

  fail(reason: string): never {
    throw new ExpositionParseError(this.#number, reason);
  }

  atEnd(): boolean {
    return this.#pos >= this.#line.length;
  }

  peek(): number {
    return this.#line.charCodeAt(this.#pos);
  }

  lookingAt(text: string): boolean {
    return this.#line.startsWith(text, this.#pos);
  }

  skip(count: number): void {
    this.#pos += count;
  }

  /** The rest of the line, consumed. */
  rest(): string {
    const rest = this.#line.slice(this.#pos);
    this.#pos = this.#line.length;
    return rest;
  }

  /** Text-format blanks: spaces and tabs. */
  skipBlanks(): void {
    const line = this.#line;
    while (isBlank(line.charCodeAt(this.#pos))) this.#pos++;
  }

  /** The token up to the next blank (text format) or space (OpenMetrics), consumed. */
  token(): string {
    const line = this.#line;
    const start = this.#pos;
    let i = start;
    if (this.#openMetrics) while (i < line.length && line.charCodeAt(i) !== SPACE) i++;
    else while (i < line.length && !isBlank(line.charCodeAt(i))) i++;
    this.#pos = i;
    return line.slice(start, i);
  }

  /** A metric name, or '' (nothing consumed) when none starts here. */
  metricName(): string {
    const line = this.#line;
    const start = this.#pos;
    if (!isNameStart(line.charCodeAt(start))) return '';
    let i = start + 1;
    while (isNameChar(line.charCodeAt(i))) i++;
    this.#pos = i;
    return line.slice(start, i);
  }

  expectSpace(where: string): void {
    if (this.peek() !== SPACE) this.fail(`expected a single space ${where}, got ${this.describeNext()}`);
    this.#pos++;
  }

  value(what: string): number {
    const token = this.token();
    const value = parseNumber(token);
    if (value === undefined) {
      this.fail(`expected a float as ${what}, got "${token}" (accepted: 1, -2.5, 1e3, NaN, +Inf, -Inf)`);
    }
    return value;
  }

  /** Integer ms in the text format; seconds, returned as ms, in OpenMetrics. */
  timestamp(): number {
    const token = this.token();
    const ms = this.#openMetrics ? parseSecondsAsMillis(token) : parseMillis(token);
    if (ms === undefined) {
      this.fail(
        this.#openMetrics
          ? `expected a timestamp in seconds, got "${token}"`
          : `expected an integer timestamp in milliseconds, got "${token}"`,
      );
    }
    return ms;
  }

  /** `{name="value",...}` from the `{` to just past the `}`. `owner` names the sample in messages. */
  labels(owner: string): Record<string, string> {
    const line = this.#line;
    const openMetrics = this.#openMetrics;
    const labels: Record<string, string> = {};
    this.#pos++;
    let first = true;
    for (;;) {
      if (!openMetrics) this.skipBlanks();
      if (this.peek() === BRACE_CLOSE) {
        if (openMetrics && !first)
          this.fail(`trailing ',' in the labels of "${owner}"; OpenMetrics does not allow one`);
        this.#pos++;
        return labels;
      }
      const nameStart = this.#pos;
      if (!isLabelStart(line.charCodeAt(nameStart))) {
        this.fail(
          `invalid label name at "${this.excerpt(nameStart)}" in "${owner}"; expected ${LABEL_PATTERN}`,
        );
      }
      this.#pos++;
      while (isLabelChar(line.charCodeAt(this.#pos))) this.#pos++;
      const name = line.slice(nameStart, this.#pos);
      if (!openMetrics) this.skipBlanks();
      if (this.peek() !== EQUALS)
        this.fail(`expected '=' after label name "${name}", got ${this.describeNext()}`);
      this.#pos++;
      if (!openMetrics) this.skipBlanks();
      if (this.peek() !== QUOTE) {
        this.fail(`expected '"' to open the value of label "${name}", got ${this.describeNext()}`);
      }
      const value = this.#labelValue();
      if (name === '__name__')
        this.fail(`label name "__name__" is reserved; the metric name goes before the '{'`);
      if (Object.hasOwn(labels, name)) this.fail(`duplicate label name "${name}" in "${owner}"`);
      // A plain assignment to "__proto__" would set the prototype instead of adding a label.
      if (name === '__proto__')
        Object.defineProperty(labels, name, { value, enumerable: true, writable: true });
      else labels[name] = value;
      if (!openMetrics) this.skipBlanks();
      const next = this.peek();
      if (next !== COMMA && next !== BRACE_CLOSE) {
        this.fail(
          `unexpected ${this.describeNext()} after label value "${value}"; expected ',' or '}' (a '"' inside a value is written \\")`,
        );
      }
      this.#pos++;
      if (next === BRACE_CLOSE) return labels;
      first = false;
    }
  }

  /** From the opening `"` to just past the closing one, unescaping `\\`, `\"` and `\n`. */
  #labelValue(): string {
    const line = this.#line;
    const start = this.#pos + 1;
    const close = line.indexOf('"', start);
    const backslash = line.indexOf('\\', start);
    if (close >= 0 && (backslash < 0 || backslash > close)) {
      this.#pos = close + 1;
      return line.slice(start, close);
    }
    let out = '';
    let chunk = start;
    let i = start;
    while (i < line.length) {
      const c = line.charCodeAt(i);
      if (c === QUOTE) {
        this.#pos = i + 1;
        return out + line.slice(chunk, i);
      }
      if (c !== BACKSLASH) {
        i++;
        continue;
      }
      out += line.slice(chunk, i);
      const next = line.charCodeAt(i + 1);
      if (next === BACKSLASH) out += '\\';
      else if (next === QUOTE) out += '"';
      else if (next === LOWER_N) out += '\n';
      else if (i + 1 >= line.length) break;
      // OpenMetrics reads any other escape as the two characters (ABNF `BS normal-char`).
      else if (this.#openMetrics) out += line.slice(i, i + 2);
      else
        this.fail(`invalid escape sequence '\\${line[i + 1]}' in a label value; expected \\\\, \\" or \\n`);
      i += 2;
      chunk = i;
    }
    return this.fail(
      `label value "${out + line.slice(chunk)}" is not closed before the end of the line; a line feed inside a value is written \\n`,
    );
  }

  /** HELP text: `\\` and `\n` in both formats, and `\"` (OpenMetrics; newer Go text parsers too). */
  help(text: string): string {
    if (!text.includes('\\')) return text;
    return text.replace(/\\(.?)/gs, (_, next: string) => {
      if (next === '\\') return '\\';
      if (next === 'n') return '\n';
      if (next === '"') return '"';
      if (next === '')
        return this.fail('the HELP text ends in a lone backslash; a backslash is written \\\\');
      if (this.#openMetrics) return `\\${next}`;
      return this.fail(`invalid escape sequence '\\${next}' in HELP text; expected \\\\ or \\n`);
    });
  }

  /** Up to 24 characters from `from`, for messages. */
  excerpt(from: number): string {
    const rest = this.#line.slice(from);
    return rest.length > 24 ? `${rest.slice(0, 24)}...` : rest;
  }

  describeNext(): string {
    const c = this.#line[this.#pos];
    return c === undefined ? 'the end of the line' : `'${c}'`;
  }

  get position(): number {
    return this.#pos;
  }
}

export const SPACE = 32;
export const HASH = 35;
export const BRACE_OPEN = 123;
const QUOTE = 34;
const COMMA = 44;
const EQUALS = 61;
const BACKSLASH = 92;
const LOWER_N = 110;
const BRACE_CLOSE = 125;

export function isBlank(c: number): boolean {
  return c === SPACE || c === 9;
}

function isLabelStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isLabelChar(c: number): boolean {
  return isLabelStart(c) || (c >= 48 && c <= 57);
}

function isNameStart(c: number): boolean {
  return isLabelStart(c) || c === 58;
}

function isNameChar(c: number): boolean {
  return isLabelChar(c) || c === 58;
}
