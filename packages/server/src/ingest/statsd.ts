import { setLabel, toLabelName } from './labels.js';
import { plainDecimal } from './plain-decimal.js';

/**
 * The StatsD line format (github.com/statsd/statsd, docs/metric_types.md) with the DogStatsD
 * extensions (docs.datadoghq.com/developers/dogstatsd/datagram_shell):
 *
 *   name:value|type[|@rate][|#tag:value,tag2][|c:container][|T<unix s>]
 *
 * Types: `c` counter, `g` gauge (`+n`/`-n` is a change, not a value), `ms` timer, `h` histogram,
 * `d` distribution, `s` set. Several lines per datagram, separated by `\n`. Etsy's statsd also reads
 * several values per line, `name:1|c:2|c` (stats.js splits the line on `:` after the name), so this
 * parser does too, as long as each value comes with its own type.
 */
export type StatsdType = 'c' | 'g' | 'ms' | 'h' | 'd' | 's';

export interface StatsdMetric {
  /** As sent; the aggregator maps it to a Prometheus name. */
  readonly name: string;
  readonly type: StatsdType;
  /** NaN for a set, whose member is in `member`. */
  readonly value: number;
  readonly member: string;
  /** A gauge sent as `+n` or `-n`: added to the current value. */
  readonly delta: boolean;
  /** In (0, 1]; 1 when not sent. */
  readonly sampleRate: number;
  /** DogStatsD tags as sent, without the `#` ('' when none): see `parseStatsdTags`. */
  readonly tags: string;
}

/** Why a line (or one value of a multi-value line) was refused. */
export type StatsdRejectReason =
  | 'bad_line'
  | 'empty_name'
  | 'bad_type'
  | 'bad_value'
  | 'bad_sample_rate'
  | 'unsupported'
  | 'negative_counter'
  | 'type_conflict'
  | 'series_limit';

export interface StatsdRejection {
  readonly line: string;
  readonly reason: StatsdRejectReason;
}

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** Every line of a datagram: the metrics read and the lines (or values) refused. */
export function parseStatsd(datagram: string): { metrics: StatsdMetric[]; rejected: StatsdRejection[] } {
  const metrics: StatsdMetric[] = [];
  const rejected: StatsdRejection[] = [];
  for (const line of datagram.split('\n')) {
    parseStatsdLine(line, metrics, (reason) => rejected.push({ line, reason }));
  }
  return { metrics, rejected };
}

/**
 * Appends the metrics of one line to `out` and calls `reject` once per refused value; a blank line is
 * neither. Never throws.
 */
export function parseStatsdLine(
  raw: string,
  out: StatsdMetric[],
  reject: (reason: StatsdRejectReason) => void,
): void {
  const line = raw.trim();
  if (line === '') return;
  // DogStatsD events and service checks: a valid datagram, but nothing to store as a series.
  if (line.startsWith('_e{') || line.startsWith('_sc|')) {
    reject('unsupported');
    return;
  }
  const colon = line.indexOf(':');
  if (colon < 0) {
    reject('bad_line');
    return;
  }
  if (colon === 0) {
    reject('empty_name');
    return;
  }
  // Each value as six offsets (value, type, rate: start and end; rate -1 when absent), found with
  // indexOf rather than split, which would allocate an array and a string per field.
  const bounds = VALUE_BOUNDS;
  bounds.length = 0;
  const end = line.length;
  let at = colon + 1;
  let pos: number;
  for (;;) {
    const bar = line.indexOf('|', at);
    if (bar < 0) {
      reject('bad_line');
      return;
    }
    const typeStart = bar + 1;
    let typeEnd = line.indexOf('|', typeStart);
    if (typeEnd < 0) typeEnd = end;
    // `name:1|c:2|c`: a colon in the type field starts the next value (Etsy's multi-value lines).
    const typeColon = line.indexOf(':', typeStart);
    if (typeColon >= 0 && typeColon < typeEnd) {
      bounds.push(at, bar, typeStart, typeColon, -1, -1);
      at = typeColon + 1;
      continue;
    }
    if (typeEnd < end && line.charCodeAt(typeEnd + 1) === 64 /* @ */) {
      const rateStart = typeEnd + 1;
      let rateEnd = line.indexOf('|', rateStart);
      if (rateEnd < 0) rateEnd = end;
      const rateColon = line.indexOf(':', rateStart);
      if (rateColon >= 0 && rateColon < rateEnd) {
        bounds.push(at, bar, typeStart, typeEnd, rateStart, rateColon);
        at = rateColon + 1;
        continue;
      }
      bounds.push(at, bar, typeStart, typeEnd, rateStart, rateEnd);
      pos = rateEnd;
    } else {
      bounds.push(at, bar, typeStart, typeEnd, -1, -1);
      pos = typeEnd;
    }
    break;
  }
  let tags = '';
  while (pos < end) {
    const start = pos + 1;
    let stop = line.indexOf('|', start);
    if (stop < 0) stop = end;
    const c = line.charCodeAt(start);
    if (c === 35 /* # */) {
      const more = line.slice(start + 1, stop);
      tags = tags === '' ? more : `${tags},${more}`;
    } else if (!isExtension(line, start, stop)) {
      reject('bad_line');
      return;
    }
    pos = stop;
  }
  const name = line.slice(0, colon);
  for (let v = 0; v < bounds.length; v += 6) {
    const metric = readValue(line, name, bounds, v, tags);
    if (typeof metric === 'string') reject(metric);
    else out.push(metric);
  }
}

const VALUE_BOUNDS: number[] = [];

/** DogStatsD fields read past: `c:<container id>`, `e:<external data>`, `T<unix seconds>`. */
function isExtension(line: string, start: number, stop: number): boolean {
  const c = line.charCodeAt(start);
  if ((c === 99 /* c */ || c === 101) /* e */ && line.charCodeAt(start + 1) === 58 /* : */) return true;
  if (c !== 84 /* T */ || stop === start + 1) return false;
  for (let i = start + 1; i < stop; i++) {
    const d = line.charCodeAt(i);
    if (d < 48 || d > 57) return false;
  }
  return true;
}

function readValue(
  line: string,
  name: string,
  bounds: number[],
  at: number,
  tags: string,
): StatsdMetric | StatsdRejectReason {
  const type = statsdType(line, bounds[at + 2]!, bounds[at + 3]!);
  if (type === undefined) return 'bad_type';
  let sampleRate = 1;
  const rateStart = bounds[at + 4]!;
  if (rateStart >= 0) {
    sampleRate = readNumber(line, rateStart + 1, bounds[at + 5]!);
    if (!(sampleRate > 0 && sampleRate <= 1)) return 'bad_sample_rate';
  }
  const start = bounds[at]!;
  const stop = bounds[at + 1]!;
  if (type === 's') {
    if (stop === start) return 'bad_value';
    const member = line.slice(start, stop);
    return { name, type, value: Number.NaN, member, delta: false, sampleRate, tags };
  }
  const first = line.charCodeAt(start);
  const value = readNumber(line, start, stop);
  if (!Number.isFinite(value)) return 'bad_value';
  const delta = type === 'g' && (first === 43 || first === 45);
  return { name, type, value, member: '', delta, sampleRate, tags };
}

/** The type field, spaces around it allowed as Etsy's `fields[1].trim()` does. */
function statsdType(line: string, start: number, stop: number): StatsdType | undefined {
  let from = start;
  let to = stop;
  while (from < to && line.charCodeAt(from) === 32) from++;
  while (to > from && line.charCodeAt(to - 1) === 32) to--;
  const c = line.charCodeAt(from);
  if (to - from === 1) {
    if (c === 99) return 'c';
    if (c === 103) return 'g';
    if (c === 104) return 'h';
    if (c === 100) return 'd';
    if (c === 115) return 's';
  } else if (to - from === 2 && c === 109 && line.charCodeAt(from + 1) === 115) {
    return 'ms';
  }
  return undefined;
}

/** A number as NUMBER allows it (`+` too), NaN when it is not one. */
function readNumber(line: string, start: number, stop: number): number {
  const plus = line.charCodeAt(start) === 43;
  const fast = plainDecimal(line, plus ? start + 1 : start, stop);
  if (!Number.isNaN(fast) && !(plus && line.charCodeAt(start + 1) === 45)) return fast;
  const text = line.slice(start, stop);
  return NUMBER.test(text) ? Number(text) : Number.NaN;
}

/**
 * DogStatsD tags (`env:prod,region:eu`) as labels: keys made legal label names, values kept as sent.
 * A tag without a value (`#canary`), which Datadog reads as a tag of that name alone, becomes
 * `canary="true"`, as Telegraf's DogStatsD input maps it. A tag with an empty value (`empty:`) or an
 * empty key is left out: an empty label value is no label in Prometheus.
 */
export function parseStatsdTags(tags: string): Record<string, string> {
  const labels: Record<string, string> = {};
  if (tags === '') return labels;
  for (const tag of tags.split(',')) {
    const colon = tag.indexOf(':');
    if (colon < 0) {
      if (tag !== '') setLabel(labels, toLabelName(tag), 'true');
      continue;
    }
    if (colon === 0 || colon === tag.length - 1) continue;
    setLabel(labels, toLabelName(tag.slice(0, colon)), tag.slice(colon + 1));
  }
  return labels;
}
