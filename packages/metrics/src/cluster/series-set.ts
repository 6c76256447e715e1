import { QuantileSketch } from '../sketch/quantile-sketch.js';
import type { MergedFamily } from './merged-family.js';
import type { WireColumn, WireMetric } from './messages.js';

const NONE = new Float64Array(0);

function unknown(n: number): Float64Array {
  return new Float64Array(n).fill(Number.NaN);
}

/**
 * A WireColumn's numbers: base64 of float64 bytes, or (from a worker of an older version) an array,
 * in which a typed array reads the strings 'Infinity', '-Infinity' and 'NaN' as the numbers they name.
 */
function unpacked(column: WireColumn): Float64Array {
  if (typeof column === 'object' && 'varint' in column) return varints(Buffer.from(column.varint, 'base64'));
  if (typeof column !== 'string') return new Float64Array(column as readonly number[]);
  const bytes = Buffer.from(column, 'base64');
  // Copied into an array of its own: the decoded bytes may sit at any offset of Node's buffer pool.
  const out = new Float64Array(bytes.length >> 3);
  new Uint8Array(out.buffer).set(bytes.subarray(0, out.length << 3));
  return out;
}

/** The integers of a `{ varint }` column (see `WireColumn`), in float arithmetic: they reach 2^53. */
function varints(bytes: Uint8Array): Float64Array {
  // Counted first: an array of one number a byte would be 8 times the bytes, 4 times what is kept.
  let n = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! < 0x80) n++;
  const out = new Float64Array(n);
  let at = 0;
  let i = 0;
  while (i < bytes.length) {
    let byte = bytes[i++]!;
    let value = byte & 0x7f;
    for (let scale = 0x80; byte >= 0x80; scale *= 0x80) {
      byte = bytes[i++]!;
      value += (byte & 0x7f) * scale;
    }
    out[at++] = value;
  }
  return out;
}

/**
 * One worker's series of one metric, as its last answer gave them, decoded once on arrival: values
 * in typed arrays, sketches rebuilt, and each series' slot in the merged family worked out, so that
 * a merge is one array add per series and no label lookup.
 */
export class SeriesSet {
  readonly family: MergedFamily;
  /** The series' keys in the family: their label blocks, with `worker="<id>",` in front for that rule. */
  readonly keys: readonly string[];
  /** Slot of each series in `family`, valid while `generation` is the family's. */
  slots: Int32Array;
  generation: number;
  /** Counters and gauges: the value; gauges also min, max and mean. */
  readonly values: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly mean: Float64Array;
  /** Histograms: cumulative bucket counts, the sketch and the window's sketch per series. */
  readonly buckets: readonly (readonly number[])[];
  readonly sketches: readonly QuantileSketch[];
  readonly windows: readonly QuantileSketch[] | undefined;
  /** Histograms: when each series was created or last reset (Unix ms), NaN when not known. */
  readonly created: Float64Array;

  constructor(
    family: MergedFamily,
    wire: WireMetric,
    previous: SeriesSet | undefined,
    keyOf: ((block: string) => string) | undefined,
  ) {
    this.family = family;
    const added = keyOf ? wire.blocks.map(keyOf) : wire.blocks;
    const keep = previous ? wire.keep : 0;
    const current = previous !== undefined && previous.generation === family.generation;
    if (current && added.length === 0 && keep === previous.size) {
      // The usual scrape: the same series as last time, only their numbers are new.
      this.keys = previous.keys;
      this.slots = previous.slots;
    } else {
      this.keys = keep === 0 ? added : previous!.keys.slice(0, keep).concat(added);
      this.slots = new Int32Array(this.keys.length);
      if (current) this.slots.set(previous.slots.subarray(0, keep));
      family.resolve(this.keys, this.slots, current ? keep : 0);
    }
    this.generation = family.generation;
    const column = unpacked;
    this.values = wire.type === 'histogram' ? NONE : column(wire.values);
    this.min = wire.type === 'gauge' ? column(wire.min) : NONE;
    this.max = wire.type === 'gauge' ? column(wire.max) : NONE;
    this.mean = wire.type === 'gauge' ? column(wire.mean) : NONE;
    if (wire.type === 'histogram') {
      this.buckets = wire.buckets;
      this.sketches = wire.sketches.map((data) => QuantileSketch.fromData(data));
      this.windows = wire.windows?.map((data) => QuantileSketch.fromData(data));
      this.created = wire.created === undefined ? unknown(wire.sketches.length) : column(wire.created);
    } else {
      this.buckets = [];
      this.sketches = [];
      this.windows = undefined;
      this.created = NONE;
    }
  }

  /** The slots, worked out again if the family was compacted since. */
  current(): Int32Array {
    if (this.generation !== this.family.generation) {
      this.family.resolve(this.keys, this.slots, 0);
      this.generation = this.family.generation;
    }
    return this.slots;
  }

  get size(): number {
    return this.keys.length;
  }

  /** Whether series `i` of `earlier` went down to series `j` of this set: it was reset in between. */
  wasReset(earlier: SeriesSet, i: number, j: number): boolean {
    return this.family.type === 'histogram'
      ? this.sketches[j]!.count < earlier.sketches[i]!.count
      : this.values[j]! < earlier.values[i]!;
  }
}
