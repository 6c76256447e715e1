import type { ResolvedRange } from '../time-range.js';

/** A page of the dashboard: built once when opened, loaded again on each refresh or range change. */
export interface Page {
  readonly element: HTMLElement;
  load(range: ResolvedRange, live: boolean): Promise<void>;
  destroy(): void;
}
