import type { PanelDefinition } from '../dashboard-definition.js';
import { durationMs } from '../format-duration.js';
import type { ResolvedRange } from '../time-range.js';

function seconds(text: string): number {
  return (durationMs(text) ?? 3_600_000) / 1000;
}

/** What an uptime panel queries: its own `window` of whole `bucket`s (seconds), the last one holding the page's end. */
export interface UptimeWindow {
  readonly range: ResolvedRange;
  readonly bucket: number;
  readonly window: number;
}

/** The uptime panel's window for the page's range: the panel keeps its own width (24h, 30d) whatever the picker says. */
export function uptimeWindow(def: PanelDefinition, range: ResolvedRange): UptimeWindow {
  const window = seconds(def.window ?? '24h');
  const bucket = seconds(def.bucket ?? '1h');
  const end = Math.floor(range.end / 1000 / bucket) * bucket + bucket;
  return { range: { start: (end - window) * 1000 + bucket * 1000, end: end * 1000 }, bucket, window };
}
