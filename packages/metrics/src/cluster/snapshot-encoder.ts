import { randomUUID } from 'node:crypto';
import type { GaugeColumns } from '../core/gauge.js';
import { DEFAULT_NATIVE_BUCKET_LIMIT } from '../core/histogram.js';
import type {
  CounterPoint,
  GaugePoint,
  HistogramPoint,
  MetricSnapshot,
  RegistrySnapshot,
} from '../core/snapshot.js';
import type { SketchData } from '../sketch/quantile-sketch.js';
import type { AnswerMessage, ScrapeMessage, WireMetric } from './messages.js';

// Arrays are built by push throughout: JSON.stringify writes a packed array 2-3× faster than one
// made with new Array(n), whose holes it has to check for (measured on Node 20, 10,000 numbers).

/**
 * Turns a worker's snapshots into answers for the primary. It remembers the label blocks of its
 * last answer, so that when the primary says it applied that answer, the next one sends only the
 * series that are new since (10,000 unchanged series: 10,000 numbers instead of ~400 KiB of labels).
 *
 * Whether a metric's series are the ones of the last answer, in the same order, is known without
 * reading its blocks when its layout (`Metric.layout`) did not change: comparing 10,000 blocks,
 * built afresh by every snapshot, cost ~1.5 ms, as much as the snapshot itself (bench/cluster-scrape.js).
 */
export class SnapshotEncoder {
  readonly incarnation = randomUUID();
  #seq = 0;
  #sent = new Map<string, Sent>();

  /**
   * The metrics whose series the primary holds as they are now, by `layouts` (see `encode`): for
   * them the worker may read only the values (`BareMetric`) instead of taking their points.
   */
  held(request: ScrapeMessage, layouts: ReadonlyMap<string, string>): Set<string> {
    const out = new Set<string>();
    if (request.have !== `${this.incarnation}:${this.#seq}`) return out;
    for (const [name, sent] of this.#sent) {
      if (sent.layout !== undefined && sent.layout === layouts.get(name)) out.add(name);
    }
    return out;
  }

  /**
   * `layouts`: per metric name, its layout at the time the snapshot was read; a name left out has
   * its blocks compared instead. `bare`: metrics left out of `snapshot`, of those `held` names.
   */
  encode(
    snapshot: RegistrySnapshot,
    request: ScrapeMessage,
    layouts: ReadonlyMap<string, string>,
    bare: readonly BareMetric[] = [],
  ): AnswerMessage {
    const delta = request.have === `${this.incarnation}:${this.#seq}`;
    const base = delta ? this.#seq : -1;
    const sent = new Map<string, Sent>();
    const metrics: WireMetric[] = [];
    for (const metric of bare) {
      sent.set(metric.name, this.#sent.get(metric.name)!);
      metrics.push(bareWire(metric, request.varint === true));
    }
    for (const metric of snapshot.metrics) {
      const points = metric.points;
      const layout = layouts.get(metric.name);
      const previous = delta ? this.#sent.get(metric.name) : undefined;
      if (previous && layout !== undefined && previous.layout === layout) {
        sent.set(metric.name, previous);
        metrics.push(wire(metric, points.length, NO_BLOCKS, request.varint === true));
        continue;
      }
      const blocks: string[] = [];
      for (let i = 0; i < points.length; i++) blocks.push(points[i]!.block);
      let keep = 0;
      if (previous) {
        const n = Math.min(previous.blocks.length, blocks.length);
        while (keep < n && previous.blocks[keep] === blocks[keep]) keep++;
      }
      sent.set(metric.name, { layout, blocks });
      metrics.push(wire(metric, keep, keep === 0 ? blocks : blocks.slice(keep), request.varint === true));
    }
    this.#sent = sent;
    return {
      vigil: 'snapshot',
      id: request.id,
      incarnation: this.incarnation,
      seq: ++this.#seq,
      base,
      startTime: snapshot.startTime,
      scopeLabel: snapshot.scopeLabel,
      scopes: snapshot.scopes,
      metrics,
    };
  }

  /** The answer when the snapshot failed (a `collect` callback threw): the primary keeps what it had. */
  failure(request: ScrapeMessage, error: unknown): AnswerMessage {
    return {
      vigil: 'snapshot',
      id: request.id,
      incarnation: this.incarnation,
      seq: this.#seq,
      base: -1,
      startTime: 0,
      scopeLabel: '',
      scopes: [],
      metrics: [],
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

interface Sent {
  readonly layout: string | undefined;
  readonly blocks: readonly string[];
}

const NO_BLOCKS: readonly string[] = [];

/**
 * A counter or gauge read as values alone, in the order of its snapshot's points, when the primary
 * holds its series: 10,000 points made and dropped again cost a worker ~0.8 ms a scrape, as much as
 * the rest of its answer (bench/cluster-scrape.js).
 */
export type BareMetric =
  | {
      readonly type: 'counter';
      readonly name: string;
      readonly help: string;
      readonly unit: string;
      readonly values: Float64Array;
    }
  | {
      readonly type: 'gauge';
      readonly name: string;
      readonly help: string;
      readonly unit: string;
      readonly columns: GaugeColumns;
    };

function bareWire(metric: BareMetric, varint: boolean): WireMetric {
  return metric.type === 'counter'
    ? counterWire(metric, metric.values.length, NO_BLOCKS, metric.values, varint)
    : gaugeWire(metric, metric.columns.value.length, NO_BLOCKS, metric.columns);
}

function counterWire(
  { name, help, unit }: MetricSnapshot | BareMetric,
  keep: number,
  blocks: readonly string[],
  values: Float64Array,
  varint: boolean,
): WireMetric {
  const column = varint && integers(values) ? { varint: packedVarints(values) } : packed(values);
  return { type: 'counter', name, help, unit, keep, blocks, values: column };
}

function gaugeWire(
  { name, help, unit }: MetricSnapshot | BareMetric,
  keep: number,
  blocks: readonly string[],
  { value, min, max, mean }: GaugeColumns,
): WireMetric {
  const values = packed(value);
  return {
    type: 'gauge',
    name,
    help,
    unit,
    keep,
    blocks,
    values,
    min: packed(min),
    max: packed(max),
    mean: packed(mean),
  };
}

function wire(metric: MetricSnapshot, keep: number, blocks: readonly string[], varint: boolean): WireMetric {
  const { name, help, unit } = metric;
  if (metric.type === 'counter')
    return counterWire(metric, keep, blocks, column(metric.points, 'value'), varint);
  if (metric.type === 'gauge') {
    const points = metric.points;
    const columns = {
      value: column(points, 'value'),
      min: column(points, 'min'),
      max: column(points, 'max'),
      mean: column(points, 'mean'),
    };
    return gaugeWire(metric, keep, blocks, columns);
  }
  const points = metric.points;
  const sketches: SketchData[] = [];
  const buckets: (readonly number[])[] = [];
  const windowed = points.length > 0 && points[0]!.windowSketch !== undefined;
  const windows: SketchData[] = [];
  const created = new Float64Array(points.length);
  for (let i = 0; i < points.length; i++) {
    const point: HistogramPoint = points[i]!;
    buckets.push(point.buckets);
    created[i] = point.createdMs ?? Number.NaN;
    // Present: the worker asks for `snapshot({ sketches: true })`.
    sketches.push(point.sketch!);
    if (windowed) windows.push(point.windowSketch!);
  }
  const out = {
    type: 'histogram' as const,
    name,
    help,
    unit,
    keep,
    blocks,
    bounds: metric.bounds,
    classic: metric.classic !== false,
    nativeBucketLimit: metric.nativeBucketLimit ?? DEFAULT_NATIVE_BUCKET_LIMIT,
    created: packed(created),
  };
  return windowed
    ? { ...out, quantiles: metric.quantiles, buckets, sketches, windows }
    : { ...out, quantiles: metric.quantiles, buckets, sketches };
}

function column<P extends CounterPoint | GaugePoint>(
  points: readonly P[],
  key: keyof P & ('value' | 'min' | 'max' | 'mean'),
): Float64Array {
  const out = new Float64Array(points.length);
  for (let i = 0; i < points.length; i++) out[i] = points[i]![key] as number;
  return out;
}

/** A WireColumn: the array's bytes in base64, in the machine's byte order (both ends run on one machine). */
function packed(values: Float64Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

/** Whether every value is an integer from 0 to 2^53 - 1 (-0 is not: it would come back as 0). */
function integers(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (!Number.isSafeInteger(value) || value < 0 || (value === 0 && 1 / value < 0)) return false;
  }
  return true;
}

/** The `{ varint }` WireColumn of `values`, which `integers` accepted. */
function packedVarints(values: Float64Array): string {
  const bytes = Buffer.allocUnsafe(values.length * 8);
  let at = 0;
  for (let i = 0; i < values.length; i++) {
    let value = values[i]!;
    while (value >= 0x80) {
      bytes[at++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    bytes[at++] = value;
  }
  return bytes.toString('base64', 0, at);
}
