import type { LabelLimits } from '../config/label-limits.js';
import type { SeriesLabels } from '../store/series-store.js';

/** What is wrong with a series past a limit, or undefined when nothing is. */
export function labelLimitViolation(labels: SeriesLabels, limits: LabelLimits): string | undefined {
  let count = 0;
  let bytes = 0;
  for (const name in labels) {
    const value = labels[name]!;
    count++;
    // UTF-16 length bounds UTF-8 bytes from below; Buffer.byteLength only past the cheap test.
    const nameBytes = name.length > limits.nameBytes / 3 ? Buffer.byteLength(name) : name.length;
    const valueBytes = value.length > limits.valueBytes / 3 ? Buffer.byteLength(value) : value.length;
    bytes += nameBytes + valueBytes;
    if (nameBytes > limits.nameBytes)
      return `label name "${preview(name)}" is ${nameBytes} bytes, more than the ${limits.nameBytes} allowed (limits.labelNameBytes)`;
    if (valueBytes > limits.valueBytes)
      return `label ${preview(name)} of ${seriesName(labels)} has a ${valueBytes}-byte value, more than the ${limits.valueBytes} allowed (limits.labelValueBytes)`;
  }
  if (count > limits.labelsPerSeries)
    return `${seriesName(labels)} has ${count} labels, more than the ${limits.labelsPerSeries} allowed (limits.labelsPerSeries)`;
  if (bytes > limits.seriesBytes)
    return `${seriesName(labels)} has ${bytes} bytes of labels, more than the ${limits.seriesBytes} allowed (limits.seriesBytes)`;
  return undefined;
}

function seriesName(labels: Readonly<Record<string, string>>): string {
  return `series ${preview(labels.__name__ ?? '{}')}`;
}

function preview(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}
