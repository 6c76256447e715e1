import type { Labels } from '../core/snapshot.js';

/**
 * The key of one series in the seeds' JSON documents: the metric name, or `name[k=v,k2=v2]` when it
 * has labels, in the order of the point's labels object (event-server seed: `event.processing.duration[event_type=*]`).
 * Nothing is escaped: the key is for people and dashboards, not for parsing back.
 */
export function seriesKey(name: string, labels: Labels): string {
  let inner = '';
  for (const key in labels) {
    const value = labels[key];
    if (value === undefined || value === '') continue;
    inner += `${inner === '' ? '' : ','}${key}=${value}`;
  }
  return inner === '' ? name : `${name}[${inner}]`;
}

/** JSON has no NaN or Infinity; `JSON.stringify` would write null anyway, but typed documents say so. */
export function jsonNumber(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
