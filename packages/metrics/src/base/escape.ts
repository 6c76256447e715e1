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

/** The inverse of `labelPairs`: `a="x",b="y\"z"` back to `{ a: 'x', b: 'y"z' }`. */
export function parseLabelPairs(pairs: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < pairs.length) {
    const eq = pairs.indexOf('="', i);
    const name = pairs.slice(i, eq);
    let value = '';
    let j = eq + 2;
    for (; pairs[j] !== '"'; j++) {
      const c = pairs[j]!;
      if (c !== '\\') value += c;
      else value += pairs[++j] === 'n' ? '\n' : pairs[j];
    }
    labels[name] = value;
    i = j + 2;
  }
  return labels;
}
