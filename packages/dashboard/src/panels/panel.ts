import type { AnomalyBands } from '../anomaly-bands.js';
import type { ApiClient } from '../api-client.js';
import type { LiveSocket } from '../live-socket.js';
import type { QueryClient } from '../query-client.js';
import type { ResolvedRange } from '../time-range.js';

/** What every panel is given: the API, PromQL, the page's live socket, and which queries have bands. */
export interface PanelContext {
  readonly api: ApiClient;
  readonly queries: QueryClient;
  readonly live: LiveSocket;
  readonly bands: AnomalyBands;
}

/** A panel on a page: drawn into `element`, loaded again on each refresh or range change. */
export interface Panel {
  readonly element: HTMLElement;
  /** `live`: the range ends now, so live samples may be added to it. */
  load(range: ResolvedRange, live: boolean): Promise<void>;
  destroy(): void;
}
