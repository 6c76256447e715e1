import { ExpositionParseError } from './exposition-parse-error.js';
import { FamilyIndex, type FamilyState } from './family-index.js';
import { BRACE_OPEN, HASH, isBlank, LineReader, NAME_PATTERN, SPACE } from './line-reader.js';
import { parseNumber } from './parse-number.js';
import type { ParsedExemplar, ParsedFamily, ParsedSample, ParsedType } from './parsed-family.js';

export type { ParsedExemplar, ParsedFamily, ParsedSample, ParsedType } from './parsed-family.js';

export interface ParseOptions {
  /** Parse OpenMetrics 1.0 rather than the Prometheus text format 0.0.4. */
  readonly openMetrics?: boolean;
  /**
   * true (the default): throw an ExpositionParseError at the first malformed line. false: skip
   * malformed lines, report each in `errors`, and keep every good line, as a scraper that counts
   * bad lines instead of failing the whole scrape wants.
   */
  readonly strict?: boolean;
}

export interface ParseIssue {
  readonly line: number;
  /** The message strict mode would have thrown: `line N: ...`. */
  readonly message: string;
}

export interface LenientParse {
  readonly families: ParsedFamily[];
  readonly errors: ParseIssue[];
}

/**
 * Parses the Prometheus text format, or OpenMetrics with `{ openMetrics: true }`, into families in
 * the order they first appear. It is as strict as promtool where that matters (shared/peers README
 * §4): invalid escapes, unescaped quotes and raw line feeds in label values, a second HELP or TYPE,
 * TYPE after samples, bad names and numbers, duplicate label names, CRLF line endings, a missing
 * final line feed. OpenMetrics adds its own rules: `# EOF` last, no blank lines or other comments,
 * families not interleaved, metadata before samples, UNIT a suffix of the name, single spaces.
 * Families with metadata but no samples are kept. Every error is an ExpositionParseError (code
 * VIGIL_PARSE) whose message starts `line N:`.
 *
 * The input is a decoded string: invalid UTF-8 is for the decoder to reject
 * (`new TextDecoder('utf-8', { fatal: true })`), as a string cannot hold it.
 */
export function parsePrometheusText(
  text: string,
  options?: ParseOptions & { readonly strict?: true },
): ParsedFamily[];
export function parsePrometheusText(
  text: string,
  options: ParseOptions & { readonly strict: false },
): LenientParse;
export function parsePrometheusText(text: string, options: ParseOptions): ParsedFamily[] | LenientParse;
export function parsePrometheusText(text: string, options: ParseOptions = {}): ParsedFamily[] | LenientParse {
  const strict = options.strict !== false;
  const result = new Parser(options.openMetrics === true, strict).run(text);
  return strict ? result.families : result;
}

const TEXT_TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const OPENMETRICS_TYPES: ReadonlySet<string> = new Set([
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'stateset',
  'info',
  'summary',
  'unknown',
]);
const CR = 13;
const HELP_LINE = /^[ \t]*#[ \t]*HELP[ \t]/;

class Parser {
  readonly #openMetrics: boolean;
  readonly #strict: boolean;
  readonly #reader: LineReader;
  readonly #index: FamilyIndex;
  readonly #errors: ParseIssue[] = [];
  #sawEof = false;

  constructor(openMetrics: boolean, strict: boolean) {
    this.#openMetrics = openMetrics;
    this.#strict = strict;
    this.#reader = new LineReader(openMetrics);
    this.#index = new FamilyIndex(openMetrics);
  }

  run(text: string): LenientParse {
    let start = 0;
    let number = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      const terminated = end >= 0;
      if (!terminated) end = text.length;
      this.#reader.start(text.slice(start, end), ++number);
      start = end + 1;
      try {
        this.#line(terminated);
      } catch (error) {
        if (!(error instanceof ExpositionParseError)) throw error;
        this.#report(error);
      }
    }
    if (this.#openMetrics && !this.#sawEof) {
      this.#report(
        new ExpositionParseError(
          number + 1,
          'the input ends without "# EOF"; OpenMetrics requires it as the last line',
        ),
      );
    }
    return { families: this.#index.families(), errors: this.#errors };
  }

  #report(error: ExpositionParseError): void {
    if (this.#strict) throw error;
    this.#errors.push({ line: error.line, message: error.message });
  }

  #line(terminated: boolean): void {
    const reader = this.#reader;
    const line = reader.line;
    if (this.#sawEof) reader.fail('content after "# EOF"; it must be the last line');
    // A HELP text may end in a carriage return, which neither format can escape; anywhere else a
    // trailing \r means CRLF line endings, and saying so beats "unknown metric type \"counter\r\"".
    if (line.charCodeAt(line.length - 1) === CR && !HELP_LINE.test(line)) {
      reader.fail('the line ends with a carriage return (CRLF); the format requires \\n line endings');
    }
    if (this.#openMetrics) {
      if (line === '') reader.fail('blank line; OpenMetrics does not allow empty lines');
      if (line.charCodeAt(0) === HASH) this.#openMetricsComment();
      else this.#sample();
    } else {
      reader.skipBlanks();
      if (reader.atEnd()) return;
      if (reader.peek() === HASH) this.#textComment();
      else this.#sample();
    }
    if (!terminated && !(this.#openMetrics && line === '# EOF')) {
      reader.fail('the input ends without a line feed; every line, the last one included, must end with \\n');
    }
  }

  /** Go's text parser: `#`, blanks, a keyword; only HELP and TYPE mean anything, the rest is comment. */
  #textComment(): void {
    const reader = this.#reader;
    reader.skip(1);
    reader.skipBlanks();
    const keyword = reader.token();
    if (keyword !== 'HELP' && keyword !== 'TYPE') return;
    reader.skipBlanks();
    if (reader.atEnd()) return;
    const nameStart = reader.position;
    const name = reader.metricName();
    if (reader.atEnd()) return;
    if (name === '' || !isBlank(reader.peek())) {
      reader.fail(
        `invalid metric name in ${keyword} line at "${reader.excerpt(nameStart)}"; expected ${NAME_PATTERN}`,
      );
    }
    reader.skipBlanks();
    if (reader.atEnd()) return;
    const rest = reader.rest();
    const family = this.#index.forMetadata(name, reader);
    if (keyword === 'HELP') {
      if (family.hasHelp) reader.fail(`second HELP line for metric "${name}"; a family has at most one`);
      family.help = reader.help(rest);
      family.hasHelp = true;
      return;
    }
    if (family.hasType) {
      reader.fail(
        `second TYPE line for metric "${name}", or TYPE after its samples; TYPE comes once, before them`,
      );
    }
    const type = rest.toLowerCase();
    if (!TEXT_TYPES.has(type)) {
      reader.fail(`unknown metric type "${rest}"; expected counter, gauge, histogram, summary or untyped`);
    }
    family.type = type as ParsedType;
    family.hasType = true;
  }

  /** `# TYPE name type`, `# UNIT name unit`, `# HELP name text` or `# EOF`, with single spaces. */
  #openMetricsComment(): void {
    const reader = this.#reader;
    const line = reader.line;
    if (line === '# EOF') {
      this.#sawEof = true;
      return;
    }
    const keyword = line.slice(2, 6);
    if (
      !line.startsWith('# ') ||
      line.charCodeAt(6) !== SPACE ||
      !['HELP', 'TYPE', 'UNIT'].includes(keyword)
    ) {
      reader.fail(
        'unexpected comment; OpenMetrics allows only "# TYPE", "# UNIT", "# HELP" and "# EOF" lines to start with #',
      );
    }
    reader.skip(7);
    const name = reader.metricName();
    if (name === '' || (!reader.atEnd() && reader.peek() !== SPACE)) {
      reader.fail(
        `invalid metric name in ${keyword} line at "${reader.excerpt(7)}"; expected ${NAME_PATTERN}`,
      );
    }
    reader.skip(1);
    const rest = reader.rest();
    const family = this.#index.forMetadata(name, reader);
    if (family.samples.length > 0) {
      reader.fail(
        `${keyword} line for "${name}" after its samples; OpenMetrics puts metadata before a family's samples`,
      );
    }
    if (keyword === 'HELP') {
      if (family.hasHelp) reader.fail(`second HELP line for metric "${name}"; a family has at most one`);
      family.help = reader.help(rest);
      family.hasHelp = true;
    } else if (keyword === 'TYPE') {
      if (family.hasType) reader.fail(`second TYPE line for metric "${name}"; a family has at most one`);
      if (!OPENMETRICS_TYPES.has(rest)) {
        reader.fail(
          `unknown metric type "${rest}"; expected counter, gauge, histogram, gaugehistogram, stateset, info, summary or unknown`,
        );
      }
      family.type = rest as ParsedType;
      family.hasType = true;
    } else {
      if (family.hasUnit) reader.fail(`second UNIT line for metric "${name}"; a family has at most one`);
      if (!/^[a-zA-Z0-9_:]*$/.test(rest)) reader.fail(`invalid unit "${rest}"; expected [a-zA-Z0-9_:]*`);
      if (rest !== '' && !name.endsWith(`_${rest}`)) {
        reader.fail(
          `unit "${rest}" is not a suffix of the family name "${name}"; expected a name ending in "_${rest}"`,
        );
      }
      family.unit = rest;
      family.hasUnit = true;
    }
  }

  /**
   * `name{labels} value [timestamp]`, plus `# {labels} value [timestamp]` (an exemplar) in
   * OpenMetrics. The whole line is read before its family is looked up, so a malformed line
   * leaves no trace, not even a family, in lenient mode.
   */
  #sample(): void {
    const reader = this.#reader;
    const openMetrics = this.#openMetrics;
    const nameStart = reader.position;
    const name = reader.metricName();
    if (name === '') {
      reader.fail(`invalid metric name at "${reader.excerpt(nameStart)}"; expected ${NAME_PATTERN}`);
    }
    let labels: Record<string, string> = {};
    if (!openMetrics) reader.skipBlanks();
    if (reader.peek() === BRACE_OPEN) {
      labels = reader.labels(name);
      if (!openMetrics) reader.skipBlanks();
    } else if (!openMetrics && reader.position === nameStart + name.length) {
      reader.fail(`unexpected ${reader.describeNext()} after metric name "${name}"; expected '{' or a space`);
    }
    if (openMetrics) reader.expectSpace('before the value');
    const sample: { -readonly [K in keyof ParsedSample]: ParsedSample[K] } = {
      name,
      labels,
      value: reader.value('value'),
    };
    if (openMetrics) {
      if (!reader.atEnd() && !reader.lookingAt(' # ')) {
        reader.skip(1);
        sample.timestampMs = reader.timestamp();
      }
      if (!reader.atEnd()) {
        if (!reader.lookingAt(' # ')) {
          reader.fail(`unexpected "${reader.rest()}" after the sample; expected " # {...}" for an exemplar`);
        }
        sample.exemplar = this.#exemplar(name);
      }
    } else if (!reader.atEnd()) {
      reader.skipBlanks();
      sample.timestampMs = reader.timestamp();
      if (!reader.atEnd()) {
        reader.fail(`unexpected "${reader.rest()}" after the timestamp; expected the end of the line`);
      }
    }
    const family = this.#index.forSample(name, reader);
    const suffix = name.slice(family.name.length);
    const exemplarAllowed =
      (family.type === 'counter' && suffix === '_total') ||
      ((family.type === 'histogram' || family.type === 'gaugehistogram') && suffix === '_bucket');
    if (sample.exemplar !== undefined && !exemplarAllowed) {
      reader.fail(
        `exemplar on "${name}"; OpenMetrics allows exemplars on counter _total and _bucket samples only`,
      );
    }
    this.#checkBound(family, suffix, labels, name);
    family.samples.push(sample);
    family.hasType = true;
  }

  /** ` # {labels} value [timestamp]` after a sample's value. */
  #exemplar(name: string): ParsedExemplar {
    const reader = this.#reader;
    reader.skip(3);
    if (reader.peek() !== BRACE_OPEN) reader.fail(`expected '{' to open the exemplar's labels on "${name}"`);
    const labels = reader.labels(name);
    reader.expectSpace('before the exemplar value');
    const value = reader.value('exemplar value');
    if (reader.atEnd()) return { labels, value };
    reader.expectSpace('before the exemplar timestamp');
    const timestampMs = reader.timestamp();
    if (!reader.atEnd()) reader.fail(`unexpected "${reader.rest()}" after the exemplar`);
    return { labels, value, timestampMs };
  }

  /** A histogram bucket needs a numeric `le`, a summary quantile a numeric `quantile`. */
  #checkBound(family: FamilyState, suffix: string, labels: Record<string, string>, name: string): void {
    let label: string;
    if ((family.type === 'histogram' || family.type === 'gaugehistogram') && suffix === '_bucket')
      label = 'le';
    else if (family.type === 'summary' && suffix === '') label = 'quantile';
    else return;
    const bound = labels[label];
    if (bound === undefined) {
      this.#reader.fail(`sample "${name}" of ${family.type} "${family.name}" has no '${label}' label`);
    }
    if (parseNumber(bound) === undefined) {
      this.#reader.fail(`expected a float as value for the '${label}' label, got "${bound}"`);
    }
  }
}
