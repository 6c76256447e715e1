import type { PanelDefinition } from '../dashboard-definition.js';
import { instantPath, rangePath } from '../query-client.js';
import type { ResolvedRange } from '../time-range.js';
import { forecastPath } from './forecast-path.js';
import { uptimeWindow } from './uptime-window.js';

/**
 * The GET paths a panel's `load(range)` asks for, built as the panel builds them: boot.ts sends
 * them before the panels exist. A panel that starts asking for something else must say so here,
 * or its early answer goes unused (test/browser/overview.test.ts checks that none is).
 */
export function panelRequests(def: PanelDefinition, range: ResolvedRange): string[] {
  switch (def.type) {
    case 'timeseries':
    case 'heatmap':
      return def.queries.map((q) => rangePath(q.expr, range));
    case 'stat':
    case 'gauge': {
      const paths = def.queries[0] ? [instantPath(def.queries[0].expr, range)] : [];
      return def.basis ? [...paths, instantPath(def.basis.expr, range)] : paths;
    }
    case 'table': {
      const columns = def.columns ?? [];
      const paths = columns.flatMap((c) => (c.expr === undefined ? [] : [instantPath(c.expr, range)]));
      return columns.some((c) => c.sessionField !== undefined) ? [...paths, '/api/sessions'] : paths;
    }
    case 'forecast':
      return [forecastPath(def)];
    case 'uptime': {
      const own = uptimeWindow(def, range);
      return def.queries[0] ? [rangePath(def.queries[0].expr, own.range, own.bucket)] : [];
    }
  }
}
