/**
 * Label objects built from untrusted names. `__proto__` is a legal Prometheus label name, but a plain
 * assignment of it to `{}` sets the prototype instead of adding a key: it would vanish silently.
 */
export function setLabel(labels: Record<string, string>, name: string, value: string): void {
  if (name === '__proto__') {
    Object.defineProperty(labels, name, { value, enumerable: true, writable: true, configurable: true });
  } else {
    labels[name] = value;
  }
}

const ILLEGAL_LABEL_CHARS = /[^a-zA-Z0-9_]/g;

/**
 * A free-form key (an Influx tag key, a DogStatsD tag) as a legal label name: illegal characters
 * become `_`, a leading digit gets a `_` in front, and a leading `__` (reserved for Prometheus'
 * internal labels, `__name__` among them) gets an `x`, as @vigil/metrics' own sanitiser does.
 */
export function toLabelName(key: string): string {
  let out = key.replace(ILLEGAL_LABEL_CHARS, '_');
  const first = out.charCodeAt(0);
  if (out === '' || (first >= 48 && first <= 57)) out = `_${out}`;
  if (out.startsWith('__')) out = `x${out}`;
  return out;
}
