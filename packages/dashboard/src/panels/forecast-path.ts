import type { PanelDefinition } from '../dashboard-definition.js';
import { withParams } from '../request-path.js';

/**
 * What a forecast panel asks for: its forecast of the selector that is its one query. Apart from
 * the panel, since boot.ts sends it before the panel's code has loaded.
 */
export function forecastPath(def: PanelDefinition): string {
  const selector = def.queries[0]?.expr ?? '';
  return def.forecast === 'run-out'
    ? withParams('/api/forecasts/run-out', { selector, ...(def.window ? { window: def.window } : {}) })
    : withParams('/api/forecasts/month-end', { selector });
}
