/**
 * OpenTelemetry names to Prometheus names as Prometheus 3 translates them by default
 * (`UnderscoreEscapingWithSuffixes`, the otlptranslator package): the name split at every character
 * outside `[a-zA-Z0-9:]` and joined with `_`, the unit as a suffix, `_total` on monotonic sums,
 * `_ratio` on gauges of unit `1`.
 */

// OpenTelemetry (UCUM) units to the words Prometheus suffixes; a unit not listed is used as written.
const UNITS: Readonly<Record<string, string>> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '1': '',
  '%': 'percent',
};

// The unit after `/`: `By/s` → `bytes_per_second`.
const PER_UNITS: Readonly<Record<string, string>> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

export type OtlpMetricKind = 'gauge' | 'counter' | 'other';

/** `http.server.requests`, unit `{request}`, a monotonic sum → `http_server_requests_total`. */
export function prometheusMetricName(name: string, unit: string, kind: OtlpMetricKind): string {
  const tokens = name.split(/[^a-zA-Z0-9:]+/).filter(Boolean);
  const [main, per] = unitSuffixes(unit);
  if (main !== '' && !tokens.includes(main)) tokens.push(main);
  if (per !== '' && !tokens.includes(per)) tokens.push('per', per);
  if (kind === 'counter') moveToEnd(tokens, 'total');
  if (unit === '1' && kind === 'gauge') moveToEnd(tokens, 'ratio');
  const joined = tokens.join('_');
  return /^[0-9]/.test(joined) ? `_${joined}` : joined;
}

/**
 * An attribute key as a label name (Prometheus's NormalizeLabel): invalid characters to `_`, and
 * `key` in front of a name that starts with a digit or a single `_`.
 */
export function prometheusLabelName(key: string): string {
  if (key === '') return key;
  const sanitized = key.replace(/[^a-zA-Z0-9_]/g, '_');
  if (/^[0-9]/.test(sanitized) || (sanitized.startsWith('_') && !sanitized.startsWith('__')))
    return `key${/^[0-9]/.test(sanitized) ? '_' : ''}${sanitized}`;
  return sanitized;
}

/** The main and per-unit suffix words of a unit; a part in braces (`{request}`) is an annotation, no suffix. */
function unitSuffixes(unit: string): [string, string] {
  const slash = unit.indexOf('/');
  const mainText = (slash < 0 ? unit : unit.slice(0, slash)).trim();
  const perText = slash < 0 ? '' : unit.slice(slash + 1).trim();
  const main = mainText !== '' && !/[{}]/.test(mainText) ? cleanUnit(UNITS[mainText] ?? mainText) : '';
  const per = perText !== '' && !/[{}]/.test(perText) ? cleanUnit(PER_UNITS[perText] ?? perText) : '';
  return [main, per];
}

function cleanUnit(unit: string): string {
  return unit
    .replace(/[^a-zA-Z0-9]/g, '_')
    .replace(/__+/g, '_')
    .replace(/^_+|_+$/g, '');
}

function moveToEnd(tokens: string[], word: string): void {
  for (let i = tokens.indexOf(word); i >= 0; i = tokens.indexOf(word)) tokens.splice(i, 1);
  tokens.push(word);
}
