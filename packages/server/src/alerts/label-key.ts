import type { SeriesLabels } from '../store/series-store.js';

/** A label set's identity: names sorted, joined with separators no label can hold unescaped. */
export function labelKey(labels: SeriesLabels): string {
  const names = Object.keys(labels).sort();
  let key = '';
  for (const name of names) key += `${name}\u0000${labels[name]}\u0001`;
  return key;
}
