import { invalidOption } from '../base/errors.js';
import { formatNumber } from '../base/escape.js';
import type { Labels, RegistrySnapshot } from '../core/snapshot.js';
import { quantileKey } from './quantile-key.js';

export type InfluxPrecision = 'ns' | 'ms' | 's';

export interface InfluxLineOptions {
  /** The time written on every line, Unix ms; the snapshot's own timestamp by default. */
  readonly timestampMs?: number;
  /** The unit of the written timestamps; it must match the `precision` of the write request. */
  readonly precision?: InfluxPrecision;
}

/**
 * InfluxDB line protocol, one line per series: the measurement is the metric name, tags are the
 * labels sorted by key (InfluxDB's advice for write performance), and the fields are `value` for
 * counters and gauges, or `count,sum,min,max,mean,std` and one `pNN` per quantile for histograms.
 *
 * Every field is a float (no `i` suffix), so a counter and a gauge never conflict on field type.
 * InfluxDB rejects NaN and infinities (`invalid number`), so such fields are left out, and a line
 * with no field left is not written. Empty tag values are skipped (InfluxDB: `missing tag value`).
 */
export function toInfluxLines(snapshot: RegistrySnapshot, options: InfluxLineOptions = {}): string {
  const suffix = ` ${timestamp(options.timestampMs ?? snapshot.timestamp, options.precision ?? 'ns')}\n`;
  let out = '';
  for (const metric of snapshot.metrics) {
    const measurement = escapeInflux(metric.name, MEASUREMENT_SPECIAL);
    switch (metric.type) {
      case 'counter':
      case 'gauge':
        for (const point of metric.points) {
          if (Number.isFinite(point.value)) {
            out += `${measurement}${tagSet(point.labels)} value=${formatNumber(point.value)}${suffix}`;
          }
        }
        break;
      case 'histogram': {
        const keys = metric.quantiles.map(quantileKey);
        for (const point of metric.points) {
          let fields = '';
          fields += field('count', point.count);
          fields += field('sum', point.sum);
          fields += field('min', point.min);
          fields += field('max', point.max);
          fields += field('mean', point.mean);
          fields += field('std', point.std);
          keys.forEach((key, i) => {
            fields += field(key, point.quantiles[i] ?? Number.NaN);
          });
          if (fields !== '') out += `${measurement}${tagSet(point.labels)} ${fields.slice(1)}${suffix}`;
        }
        break;
      }
    }
  }
  return out;
}

function field(key: string, value: number): string {
  return Number.isFinite(value) ? `,${key}=${formatNumber(value)}` : '';
}

function tagSet(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  let out = '';
  for (const key of keys) {
    const value = labels[key];
    if (value === undefined || value === '') continue;
    out += `,${escapeInflux(key, TAG_SPECIAL)}=${escapeInflux(value, TAG_SPECIAL)}`;
  }
  return out;
}

const MEASUREMENT_SPECIAL = /[, ]/g;
const TAG_SPECIAL = /[,= ]/g;
const NEEDS_ESCAPE = /[,= \\\n\r]/;

/**
 * Escapes one measurement, tag key or tag value. InfluxDB's scanner treats a backslash as escaping
 * whatever byte follows it, so a value ending in `\`, or with `\` before a comma, would swallow
 * the separator and corrupt the line: such backslash runs are doubled. A line feed or carriage
 * return cannot appear in a line at all and is written as the two characters `\n` / `\r`.
 * InfluxDB 1.x keeps those backslashes literally (it unescapes only `\,`, `\ ` and `\=`), so these
 * rare values are stored with an extra backslash rather than breaking the write. A lone UTF-16
 * surrogate becomes U+FFFD, as in the Prometheus formats (base/escape.ts).
 */
function escapeInflux(raw: string, special: RegExp): string {
  const text = raw.isWellFormed() ? raw : raw.toWellFormed();
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text
    .replace(/\\+(?=[,= ]|$)/g, '$&$&')
    .replace(special, '\\$&')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r');
}

function timestamp(ms: number, precision: InfluxPrecision): string {
  if (!Number.isFinite(ms)) throw invalidOption('timestampMs', ms, 'a finite number of Unix milliseconds');
  switch (precision) {
    case 's':
      return String(Math.floor(ms / 1000));
    case 'ms':
      return String(Math.round(ms));
    case 'ns': {
      // 1.7e18 ns is far past 2^53, so the nanoseconds are computed as a BigInt from whole ms.
      const whole = Math.floor(ms);
      return String(BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6)));
    }
    default:
      throw invalidOption('precision', precision, "'ns', 'ms' or 's'");
  }
}
