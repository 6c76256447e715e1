import { forEachLabelPair, unescapeLabelValue } from '../base/escape.js';
import { Point } from '../core/points.js';
import type { ProtobufWriter } from './protobuf-writer.js';

// Field numbers of io.prometheus.client's metrics.proto: Metric.label, LabelPair.name and .value.
const METRIC_LABEL = 1;
const LABEL_NAME = 1;
const LABEL_VALUE = 2;

/**
 * The `LabelPair`s of the points of one family, from their escaped label blocks. A point's block
 * comes in two parts (core/points.ts): the head its siblings share (`method="GET",route="`), and
 * its own last value. The head's pairs and the last label's name are encoded once per head and
 * copied for each sibling, so a point encodes only its last value, as the text formats add only
 * that to a line start shared per head (line-starts.ts).
 */
export class ProtobufLabels {
  #head: string | undefined;
  /** The head's complete `LabelPair` fields. */
  #pairs: Uint8Array = EMPTY;
  /** The last label's `name` field, inside its `LabelPair`. */
  #lastName: Uint8Array = EMPTY;

  write(w: ProtobufWriter, point: { readonly block: string }): void {
    const parts = Point.partsOf(point);
    const leaf = parts === undefined ? null : Point.leaf(parts);
    if (parts === undefined || leaf === null) {
      pairsOf(w, point.block);
      return;
    }
    const head = Point.head(parts);
    if (head !== this.#head) this.#encode(w, head);
    w.raw(this.#pairs);
    w.begin(METRIC_LABEL);
    w.raw(this.#lastName);
    w.stringField(LABEL_VALUE, leaf.includes('\\') ? unescapeLabelValue(leaf) : leaf);
    w.end();
  }

  /** Encodes `head`'s pairs and last name with `w`'s own encoding, and keeps copies of the bytes. */
  #encode(w: ProtobufWriter, head: string): void {
    // The head closed by an empty last value: its last pair gives the last label's name.
    const block = `${head}"`;
    let lastFrom = 0;
    let lastTo = 0;
    const from = w.length;
    forEachLabelPair(block, (nameFrom, nameTo, valueFrom, valueTo, escaped) => {
      if (valueFrom === block.length - 1) {
        lastFrom = nameFrom;
        lastTo = nameTo;
      } else {
        pair(w, block, nameFrom, nameTo, valueFrom, valueTo, escaped);
      }
    });
    this.#pairs = w.copy(from);
    const nameAt = w.length;
    w.stringField(LABEL_NAME, block, lastFrom, lastTo);
    this.#lastName = w.copy(nameAt);
    w.rewind(from);
    this.#head = head;
  }
}

/** The pairs of a whole block: values without an escape are copied straight from it. */
function pairsOf(w: ProtobufWriter, block: string): void {
  forEachLabelPair(block, (nameFrom, nameTo, valueFrom, valueTo, escaped) =>
    pair(w, block, nameFrom, nameTo, valueFrom, valueTo, escaped),
  );
}

function pair(
  w: ProtobufWriter,
  block: string,
  nameFrom: number,
  nameTo: number,
  valueFrom: number,
  valueTo: number,
  escaped: boolean,
): void {
  w.begin(METRIC_LABEL);
  w.stringField(LABEL_NAME, block, nameFrom, nameTo);
  if (escaped) w.stringField(LABEL_VALUE, unescapeLabelValue(block.slice(valueFrom, valueTo)));
  else w.stringField(LABEL_VALUE, block, valueFrom, valueTo);
  w.end();
}

const EMPTY = new Uint8Array(0);
