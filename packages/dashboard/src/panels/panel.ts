import type { ApiClient } from '../api-client.js';
import type { LiveSocket } from '../live-socket.js';
import type { QueryClient } from '../query-client.js';
import type { ResolvedRange } from '../time-range.js';

/** What every panel is given: the API, PromQL, and the page's live socket. */
export interface PanelContext {
  readonly api: ApiClient;
  readonly queries: QueryClient;
  readonly live: LiveSocket;
}

/** A panel on a page: drawn into `element`, loaded again on each refresh or range change. */
export interface Panel {
  readonly element: HTMLElement;
  /** `live`: the range ends now, so live samples may be added to it. */
  load(range: ResolvedRange, live: boolean): Promise<void>;
  destroy(): void;
}
