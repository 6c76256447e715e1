/**
 * Escaping for the Prometheus text format 0.0.4 and OpenMetrics 1.0. Both escape label values as
 * `\\`, `\"` and `\n`; HELP escapes `\\` and `\n` (and `\"` in OpenMetrics). Everything else,
 * any Unicode included, is written raw as UTF-8. A lone UTF-16 surrogate cannot be encoded as
 * UTF-8, so it becomes U+FFFD here, once, rather than differently in each encoder downstream.
 */
const LABEL_SPECIAL = /[\\"\n]/;
const HELP_SPECIAL = /[\\\n]/;

export function escapeLabelValue(value: string): string {
  const text = value.isWellFormed() ? value : value.toWellFormed();
  if (!LABEL_SPECIAL.test(text)) return text;
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function escapeHelp(help: string, openMetrics: boolean): string {
  const text = help.isWellFormed() ? help : help.toWellFormed();
  if (openMetrics) return escapeLabelValue(text);
  if (!HELP_SPECIAL.test(text)) return text;
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A sample value as both formats write it: Go's ParseFloat reads JavaScript's shortest round-trip form. */
export function formatNumber(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

/** `a="x",b="y"` for the given pairs (empty values left out, as Prometheus treats them as absent). */
export function labelPairs(names: readonly string[], values: readonly string[]): string {
  let out = '';
  for (let i = 0; i < names.length; i++) {
    const value = values[i] ?? '';
    if (value === '') continue;
    out += `${out === '' ? '' : ','}${names[i]}="${escapeLabelValue(value)}"`;
  }
  return out;
}

/**
 * Walks a label block as `labelPairs` writes it (`a="x",b="y\\"z"`): `visit` gets where each name and
 * each value (still escaped) start and end, and whether the value holds an escape, so that a
 * writer can copy an unescaped value straight from the block.
 */
export function forEachLabelPair(
  block: string,
  visit: (nameFrom: number, nameTo: number, valueFrom: number, valueTo: number, escaped: boolean) => void,
): void {
  let i = 0;
  while (i < block.length) {
    const eq = block.indexOf('="', i);
    let j = eq + 2;
    let escaped = false;
    for (; block.charCodeAt(j) !== 0x22 /* " */; j++) {
      if (block.charCodeAt(j) === 0x5c /* \\ */) {
        escaped = true;
        j++;
      }
    }
    visit(i, eq, eq + 2, j, escaped);
    i = j + 2;
  }
}

/** The inverse of `escapeLabelValue`. */
export function unescapeLabelValue(escaped: string): string {
  return escaped.replace(/\\(.)/gs, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** The inverse of `labelPairs`: `a="x",b="y\\"z"` back to `{ a: 'x', b: 'y"z' }`. */
export function parseLabelPairs(pairs: string): Record<string, string> {
  const labels: Record<string, string> = {};
  forEachLabelPair(pairs, (nameFrom, nameTo, valueFrom, valueTo, escaped) => {
    const value = pairs.slice(valueFrom, valueTo);
    labels[pairs.slice(nameFrom, nameTo)] = escaped ? unescapeLabelValue(value) : value;
  });
  return labels;
}
