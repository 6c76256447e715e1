import { toPrometheusName } from '@vigil/metrics';
import type { SeriesLabels } from '../store/series-store.js';
import { fieldValue, LineError } from './influx-field-value.js';
import { IngestError } from './ingest-error.js';
import { setLabel, toLabelName } from './labels.js';
import type { ParsedSeries } from './parsed-series.js';
import { runSteps, runStepsPaced, type Steps } from './steps.js';

/**
 * InfluxDB line protocol (docs.influxdata.com/influxdb/v2/reference/syntax/line-protocol):
 *
 *   measurement[,tag=value…] field=value[,field=value…] [timestamp]
 *
 * Each numeric or boolean field becomes a sample of the series `<measurement>_<field>` (plain
 * `<measurement>` for a field named `value`), VictoriaMetrics' mapping, with the tags as labels.
 * Names and tag keys are made legal Prometheus names (`cpu load` → `cpu_load`) so that PromQL can
 * reach them. String fields have no numeric value and are skipped and counted.
 */
export type InfluxPrecision = 'ns' | 'n' | 'us' | 'u' | 'ms' | 's' | 'm' | 'h';

export interface InfluxParseOptions {
  /** Unit of the timestamps in the body: `?precision=` of the write endpoints. Default `ns`. */
  readonly precision?: InfluxPrecision;
  /** Time given to lines without a timestamp (Unix ms). */
  readonly nowMs: number;
  /**
   * Keep the good lines and report the bad ones instead of refusing the whole body: InfluxDB 1.x
   * stores the good lines of a partial write and answers 400 for the rest.
   */
  readonly lenient?: boolean;
  /** Labels added to every series, over any tag of the same name (the `db` of `?db=`, as VictoriaMetrics does). */
  readonly labels?: SeriesLabels;
}

export interface InfluxLineError {
  /** 1-based line number in the body. */
  readonly line: number;
  readonly message: string;
  /** The line, cut at 200 characters. */
  readonly text: string;
}

export interface InfluxParseResult {
  readonly series: ParsedSeries[];
  /** Lines stored (blank and comment lines are neither stored nor errors). */
  readonly lines: number;
  readonly samples: number;
  /** String fields skipped. */
  readonly strings: number;
  /** Lines refused; always empty unless `lenient`. */
  readonly errors: InfluxLineError[];
}

/** Multiplier to ms, or the number of trailing digits to drop for the sub-millisecond units. */
const PRECISION: Record<InfluxPrecision, { drop: number; multiply: number }> = {
  ns: { drop: 6, multiply: 1 },
  n: { drop: 6, multiply: 1 },
  us: { drop: 3, multiply: 1 },
  u: { drop: 3, multiply: 1 },
  ms: { drop: 0, multiply: 1 },
  s: { drop: 0, multiply: 1000 },
  m: { drop: 0, multiply: 60_000 },
  h: { drop: 0, multiply: 3_600_000 },
};

/** InfluxDB keeps nanoseconds in an int64: -2^63 to 2^63-1 ns, in whole ms (floored). */
const MIN_MS = -9_223_372_036_855;
const MAX_MS = 9_223_372_036_854;

const TIMESTAMP = /^-?\d+$/;

const NEWLINE = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const QUOTE = 34;
const HASH = 35;
const COMMA = 44;
const EQUALS = 61;
const BACKSLASH = 92;

interface Group {
  readonly labels: SeriesLabels;
  readonly timestamps: number[];
  readonly values: number[];
}

interface SeriesEntry {
  readonly byKey: Map<string, Group>;
  /** The field keys of the last line of this series, in order, and their groups. */
  readonly keys: string[];
  readonly groups: Group[];
}

export function parseInfluxLines(body: string, options: InfluxParseOptions): InfluxParseResult {
  return runSteps(influxParsing(body, options));
}

/**
 * `parseInfluxLines` handing the event loop back every few ms: 100,000 lines of as many series
 * (7.5 MiB) took 2.5-4.3 s in one go on a loaded machine.
 */
export function parseInfluxLinesPaced(body: string, options: InfluxParseOptions): Promise<InfluxParseResult> {
  return runStepsPaced(influxParsing(body, options));
}

function* influxParsing(body: string, options: InfluxParseOptions): Steps<InfluxParseResult> {
  const parser = takeParser();
  try {
    return yield* parser.parse(body, options, precisionOf(options));
  } finally {
    idleParser = parser;
  }
}

/**
 * Lines, or characters, of a body parsed between two pauses of parseInfluxLinesPaced, whichever
 * comes first: a few ms of work (a line of a new series took up to 30 us on a loaded machine).
 */
const YIELD_LINES = 256;
const YIELD_CHARS = 1 << 19;
/** Series turned into samples between two pauses. */
const YIELD_SERIES = 1024;

function precisionOf(options: InfluxParseOptions): { drop: number; multiply: number } {
  const precision = PRECISION[options.precision ?? 'ns'];
  if (!precision) {
    throw new TypeError(
      `parseInfluxLines: precision ${JSON.stringify(options.precision)} is not one of ${Object.keys(PRECISION).join(', ')}`,
    );
  }
  return precision;
}

/**
 * A parser is kept for good, its state reset per body: a parser object made per call lets V8 drop
 * its hidden class at a full GC, and with it the optimised code (measured: about twice the time per
 * line in a process that collects often). One that starts while a paced parse has paused gets a
 * parser of its own.
 */
class InfluxLineParser {
  #text = '';
  #nowMs = 0;
  #lenient = false;
  #extra: SeriesLabels | undefined;
  #drop = 0;
  #multiply = 1;
  #pos = 0;
  /** Series section as written → its fields' samples, by field key as written. */
  #groups = new Map<string, SeriesEntry>();
  #order: Group[] = [];
  // Per line, reused: where the tags are, and each field's key and value until the timestamp is known.
  readonly #tagBounds: number[] = [];
  /** Start and end of each field key in the text. */
  readonly #fieldKeys: number[] = [];
  readonly #fieldValues: number[] = [];
  #fieldCount = 0;
  #lines = 0;
  #samples = 0;
  #strings = 0;
  #errors: InfluxLineError[] = [];

  /** Parses `text`, yielding after every YIELD_LINES or YIELD_CHARS of it, and every YIELD_SERIES series made. */
  *parse(
    text: string,
    options: InfluxParseOptions,
    precision: { drop: number; multiply: number },
  ): Generator<void, InfluxParseResult, undefined> {
    this.#text = text;
    this.#nowMs = options.nowMs;
    this.#lenient = options.lenient ?? false;
    this.#extra = options.labels;
    this.#drop = precision.drop;
    this.#multiply = precision.multiply;
    this.#pos = 0;
    this.#groups = new Map();
    this.#order = [];
    this.#lines = 0;
    this.#samples = 0;
    this.#strings = 0;
    this.#errors = [];
    try {
      return yield* this.#parse();
    } finally {
      // Let the body and the maps go now rather than at the next call.
      this.#text = '';
      this.#groups = new Map();
      this.#order = [];
      this.#extra = undefined;
    }
  }

  *#parse(): Generator<void, InfluxParseResult, undefined> {
    const text = this.#text;
    let lineNumber = 0;
    let yieldedAt = 0;
    let yieldedLine = 0;
    while (this.#pos < text.length) {
      if (lineNumber - yieldedLine >= YIELD_LINES || this.#pos - yieldedAt >= YIELD_CHARS) {
        yield;
        yieldedAt = this.#pos;
        yieldedLine = lineNumber;
      }
      lineNumber++;
      const start = this.#pos;
      let strings = 0;
      try {
        strings = this.#line();
        this.#strings += strings;
      } catch (error) {
        if (!(error instanceof LineError)) throw error;
        let end = text.indexOf('\n', start);
        if (end < 0) end = text.length;
        const failed = {
          line: lineNumber,
          message: error.message,
          text: text.slice(start, Math.min(end, start + 200)),
        };
        if (!this.#lenient) {
          throw new IngestError(
            'bad_line',
            `line ${failed.line}: ${failed.message}: ${JSON.stringify(failed.text)}`,
          );
        }
        this.#errors.push(failed);
        // A string field may have run past newlines before failing: resume after the bad line's first newline.
        this.#pos = end + 1;
        continue;
      }
      // Newlines inside string fields belong to their line; count them so later line numbers stay right.
      if (strings > 0) {
        for (let i = text.indexOf('\n', start); i >= 0 && i < this.#pos - 1; i = text.indexOf('\n', i + 1)) {
          lineNumber++;
        }
      }
    }
    const series: ParsedSeries[] = [];
    for (const g of this.#order) {
      if (series.length % YIELD_SERIES === YIELD_SERIES - 1) yield;
      series.push({
        labels: g.labels,
        timestamps: Float64Array.from(g.timestamps),
        values: Float64Array.from(g.values),
      });
    }
    return {
      series,
      lines: this.#lines,
      samples: this.#samples,
      strings: this.#strings,
      errors: this.#errors,
    };
  }

  /** Reads one line up to and including its newline; returns the number of string fields skipped. */
  #line(): number {
    const text = this.#text;
    const len = text.length;
    let pos = this.#pos;
    let c = text.charCodeAt(pos);
    while (c === SPACE || c === TAB) c = text.charCodeAt(++pos);
    if (c === NEWLINE || c === CR || Number.isNaN(c) || c === HASH) {
      const end = text.indexOf('\n', pos);
      if (c !== HASH && end >= 0 && text.slice(pos, end).trim() !== '')
        throw new LineError('invalid field format');
      this.#pos = end < 0 ? text.length : end + 1;
      return 0;
    }
    const seriesStart = pos;
    // Measurement: up to the first unescaped comma or space.
    pos = this.#scanKey(pos, false);
    if (pos === seriesStart) throw new LineError('missing measurement');
    const measurementEnd = pos;
    const tags = this.#tagBounds;
    tags.length = 0;
    while (text.charCodeAt(pos) === COMMA) {
      const keyStart = pos + 1;
      pos = this.#scanKey(keyStart, true);
      if (text.charCodeAt(pos) !== EQUALS) throw new LineError('missing tag value');
      if (pos === keyStart) throw new LineError('missing tag key');
      const valueStart = pos + 1;
      pos = this.#scanKey(valueStart, true);
      if (pos === valueStart) throw new LineError('missing tag value');
      if (text.charCodeAt(pos) === EQUALS) throw new LineError('invalid tag format');
      tags.push(keyStart, valueStart - 1, valueStart, pos);
    }
    const seriesEnd = pos;
    c = text.charCodeAt(pos);
    if (c !== SPACE && c !== TAB) throw new LineError('missing fields');
    while (c === SPACE || c === TAB) c = text.charCodeAt(++pos);
    // Fields.
    this.#fieldCount = 0;
    let strings = 0;
    for (;;) {
      const keyStart = pos;
      pos = this.#scanKey(keyStart, true);
      if (text.charCodeAt(pos) !== EQUALS) throw new LineError('invalid field format');
      if (pos === keyStart) throw new LineError('missing field key');
      const keyEnd = pos;
      pos++;
      if (text.charCodeAt(pos) === QUOTE) {
        pos = this.#scanString(pos + 1);
        strings++;
      } else {
        const valueStart = pos;
        c = text.charCodeAt(pos);
        while (pos < len && c !== COMMA && c !== SPACE && c !== TAB && c !== NEWLINE && c !== CR) {
          c = text.charCodeAt(++pos);
        }
        if (pos === valueStart) throw new LineError('missing field value');
        this.#fieldKeys[2 * this.#fieldCount] = keyStart;
        this.#fieldKeys[2 * this.#fieldCount + 1] = keyEnd;
        this.#fieldValues[this.#fieldCount++] = fieldValue(text, valueStart, pos);
      }
      if (text.charCodeAt(pos) !== COMMA) break;
      pos++;
    }
    // Timestamp, optional.
    c = text.charCodeAt(pos);
    while (c === SPACE || c === TAB) c = text.charCodeAt(++pos);
    let timestamp = this.#nowMs;
    if (pos < len && c !== NEWLINE && c !== CR) {
      const start = pos;
      while (pos < len && c !== SPACE && c !== TAB && c !== NEWLINE && c !== CR) c = text.charCodeAt(++pos);
      timestamp = this.#timestamp(start, pos);
      while (c === SPACE || c === TAB) c = text.charCodeAt(++pos);
    }
    if (c === CR) c = text.charCodeAt(++pos);
    if (pos < len && c !== NEWLINE) throw new LineError('bad timestamp');
    this.#pos = pos + 1;
    this.#commit(text.slice(seriesStart, seriesEnd), seriesStart, measurementEnd, timestamp);
    return strings;
  }

  /** Index of the first unescaped separator: comma or space, and `=` too for tag and field keys and tag values. */
  #scanKey(from: number, stopAtEquals: boolean): number {
    const text = this.#text;
    let pos = from;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === BACKSLASH && pos + 1 < text.length && text.charCodeAt(pos + 1) !== NEWLINE) {
        pos += 2;
        continue;
      }
      if (pos >= text.length || c === COMMA || c === SPACE || c === TAB || c === NEWLINE || c === CR)
        return pos;
      if (stopAtEquals && c === EQUALS) return pos;
      pos++;
    }
  }

  /** Index after the closing quote of a string field that opened before `from`. */
  #scanString(from: number): number {
    const text = this.#text;
    for (let pos = from; pos < text.length; pos++) {
      const c = text.charCodeAt(pos);
      if (c === BACKSLASH) pos++;
      else if (c === QUOTE) return pos + 1;
    }
    throw new LineError('unbalanced quotes');
  }

  #timestamp(start: number, end: number): number {
    const text = this.#text;
    // Fast path: the digits, read straight from the text, of a timestamp whose milliseconds fit in
    // 15 digits (every time until the year 33658); the general path below handles the rest.
    const negative = text.charCodeAt(start) === 45;
    const first = negative ? start + 1 : start;
    const cut = end - this.#drop;
    if (end > first && cut - first <= 15) {
      let ms = 0;
      let rest = 0;
      let i = first;
      for (; i < end; i++) {
        const d = text.charCodeAt(i) - 48;
        if (d < 0 || d > 9) break;
        if (i < cut) ms = ms * 10 + d;
        else rest |= d;
      }
      if (i === end) {
        ms *= this.#multiply;
        if (negative) ms = rest !== 0 ? -ms - 1 : -ms;
        if (ms >= MIN_MS && ms <= MAX_MS) return ms;
      }
    }
    return this.#slowTimestamp(text.slice(start, end));
  }

  #slowTimestamp(token: string): number {
    if (!TIMESTAMP.test(token)) throw new LineError('bad timestamp');
    const negative = token.charCodeAt(0) === 45;
    const digits = negative ? token.slice(1) : token;
    let ms: number;
    if (this.#drop === 0) {
      ms = Number(digits) * this.#multiply;
    } else {
      // Whole milliseconds of a ns or µs timestamp without going through a double that cannot hold 19 digits.
      const cut = digits.length - this.#drop;
      ms = cut > 0 ? Number(digits.slice(0, cut)) : 0;
      if (negative && !/^0*$/.test(cut > 0 ? digits.slice(cut) : digits)) ms += 1;
    }
    if (negative) ms = -ms;
    if (!(ms >= MIN_MS && ms <= MAX_MS)) throw new LineError('time outside range');
    return ms;
  }

  #commit(seriesKey: string, seriesStart: number, measurementEnd: number, timestamp: number): void {
    const text = this.#text;
    let entry = this.#groups.get(seriesKey);
    if (!entry) {
      entry = { byKey: new Map(), keys: [], groups: [] };
      this.#groups.set(seriesKey, entry);
    }
    const keys = this.#fieldKeys;
    for (let i = 0; i < this.#fieldCount; i++) {
      const start = keys[2 * i]!;
      const end = keys[2 * i + 1]!;
      // Lines of one series usually list the same fields in the same order: check the field seen
      // at this position last time without cutting the key out of the text.
      const last = entry.keys[i];
      let group: Group | undefined;
      if (last !== undefined && last.length === end - start && text.startsWith(last, start)) {
        group = entry.groups[i]!;
      } else {
        const key = text.slice(start, end);
        group = entry.byKey.get(key);
        if (!group) {
          group = this.#group(seriesStart, measurementEnd, key);
          entry.byKey.set(key, group);
          this.#order.push(group);
        }
        entry.keys[i] = key;
        entry.groups[i] = group;
      }
      group.timestamps.push(timestamp);
      group.values.push(this.#fieldValues[i]!);
    }
    this.#samples += this.#fieldCount;
    this.#lines++;
  }

  /** A new series: unescape and sanitise its names once; later lines with the same text reuse it. */
  #group(seriesStart: number, measurementEnd: number, fieldKey: string): Group {
    const text = this.#text;
    const measurement = unescapeKey(text.slice(seriesStart, measurementEnd), false);
    const field = unescapeKey(fieldKey, true);
    const labels: Record<string, string> = {};
    setLabel(
      labels,
      '__name__',
      toPrometheusName(field === 'value' ? measurement : `${measurement}_${field}`),
    );
    const tags = this.#tagBounds;
    for (let i = 0; i < tags.length; i += 4) {
      const name = toLabelName(unescapeKey(text.slice(tags[i]!, tags[i + 1]!), true));
      if (Object.hasOwn(labels, name)) {
        throw new LineError(`duplicate tag ${JSON.stringify(name)}`);
      }
      setLabel(labels, name, unescapeKey(text.slice(tags[i + 2]!, tags[i + 3]!), true));
    }
    if (this.#extra) for (const [name, value] of Object.entries(this.#extra)) setLabel(labels, name, value);
    return { labels, timestamps: [], values: [] };
  }
}

let idleParser: InfluxLineParser | undefined = new InfluxLineParser();

function takeParser(): InfluxLineParser {
  const parser = idleParser ?? new InfluxLineParser();
  idleParser = undefined;
  return parser;
}

/** Drops the backslash of `\,` `\ ` `\\` (and `\=` in keys and tag values); any other backslash is literal. */
function unescapeKey(raw: string, equals: boolean): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === BACKSLASH && i + 1 < raw.length) {
      const next = raw.charCodeAt(i + 1);
      if (next === COMMA || next === SPACE || next === BACKSLASH || (equals && next === EQUALS)) {
        out += raw[i + 1];
        i++;
        continue;
      }
    }
    out += raw[i];
  }
  return out;
}
