import { ServerError } from '../errors/server-error.js';
import type { SeriesSamples } from '../store/series-store.js';

export class JsonPushError extends ServerError {
  constructor(message: string) {
    super('VIGIL_INGEST_BAD_JSON', message);
    this.name = 'JsonPushError';
  }
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * vigil's JSON push body. Either a list of series with samples, or single values:
 *
 *     { "series": [{ "labels": { "__name__": "queue_depth", "queue": "a" }, "samples": [[1700000000000, 3]] }] }
 *     [{ "name": "queue_depth", "labels": { "queue": "a" }, "value": 3, "timestamp": 1700000000000 }]
 *
 * Timestamps are Unix ms and default to now; values are numbers or the strings "NaN", "+Inf", "-Inf".
 * The first thing wrong is reported with its JSON path; nothing of a bad body is stored.
 */
export function parseJsonPush(text: string, nowMs: number): SeriesSamples[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new JsonPushError(`body is not JSON: ${(error as Error).message}`);
  }
  if (Array.isArray(body)) return body.map((item, i) => single(item, `[${i}]`, nowMs));
  if (isObject(body) && Array.isArray(body.series)) {
    return body.series.map((item, i) => series(item, `series[${i}]`, nowMs));
  }
  if (isObject(body) && ('value' in body || 'name' in body)) return [single(body, '', nowMs)];
  throw new JsonPushError(
    'expected { "series": [...] }, an array of { name, value }, or one { name, value }',
  );
}

function series(item: unknown, path: string, nowMs: number): SeriesSamples {
  if (!isObject(item)) throw new JsonPushError(`${path}: expected an object with labels and samples`);
  const labels = checkLabels(item.labels, `${path}.labels`);
  if (!labels.__name__) throw new JsonPushError(`${path}.labels.__name__: a metric name is required`);
  if (!Array.isArray(item.samples) || item.samples.length === 0) {
    throw new JsonPushError(`${path}.samples: expected a non-empty array of [timestamp_ms, value]`);
  }
  const timestamps: number[] = [];
  const values = new Float64Array(item.samples.length);
  item.samples.forEach((pair: unknown, i: number) => {
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new JsonPushError(`${path}.samples[${i}]: expected [timestamp_ms, value]`);
    }
    timestamps.push(checkTime(pair[0], `${path}.samples[${i}][0]`, nowMs));
    values[i] = checkValue(pair[1], `${path}.samples[${i}][1]`);
  });
  return { labels, timestamps, values };
}

function single(item: unknown, path: string, nowMs: number): SeriesSamples {
  if (!isObject(item))
    throw new JsonPushError(`${path || 'body'}: expected { name, value, labels?, timestamp? }`);
  const at = (key: string) => (path ? `${path}.${key}` : key);
  if (typeof item.name !== 'string' || !NAME.test(item.name)) {
    throw new JsonPushError(
      `${at('name')}: got ${JSON.stringify(item.name)}, expected a metric name like queue_depth`,
    );
  }
  const labels = { ...checkLabels(item.labels ?? {}, at('labels')), __name__: item.name };
  return {
    labels,
    timestamps: [checkTime(item.timestamp, at('timestamp'), nowMs)],
    values: Float64Array.of(checkValue(item.value, at('value'))),
  };
}

function checkLabels(value: unknown, path: string): Record<string, string> {
  if (!isObject(value)) throw new JsonPushError(`${path}: expected an object of label names to strings`);
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (!(name === '__name__' || LABEL.test(name)))
      throw new JsonPushError(`${path}: "${name}" is not a valid label name`);
    if (typeof v !== 'string')
      throw new JsonPushError(`${path}.${name}: got ${JSON.stringify(v)}, expected a string`);
    if (name === '__name__' && !NAME.test(v))
      throw new JsonPushError(`${path}.__name__: "${v}" is not a valid metric name`);
    if (v !== '') out[name] = v;
  }
  return out;
}

function checkTime(value: unknown, path: string, nowMs: number): number {
  if (value === undefined || value === null) return nowMs;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new JsonPushError(`${path}: got ${JSON.stringify(value)}, expected Unix milliseconds`);
  }
  return value;
}

function checkValue(value: unknown, path: string): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return Number.NaN;
  if (value === '+Inf' || value === 'Inf') return Number.POSITIVE_INFINITY;
  if (value === '-Inf') return Number.NEGATIVE_INFINITY;
  throw new JsonPushError(
    `${path}: got ${JSON.stringify(value)}, expected a number, "NaN", "+Inf" or "-Inf"`,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
