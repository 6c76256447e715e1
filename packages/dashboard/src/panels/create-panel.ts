import type { PanelDefinition } from '../dashboard-definition.js';
import { ForecastPanel } from './forecast-panel.js';
import { GaugePanel } from './gauge-panel.js';
import { HeatmapPanel } from './heatmap-panel.js';
import type { Panel, PanelContext } from './panel.js';
import { StatPanel } from './stat-panel.js';
import { TablePanel } from './table-panel.js';
import { TimeseriesPanel } from './timeseries-panel.js';
import { UptimePanel } from './uptime-panel.js';

/** The panel class for a definition's `type`. */
export function createPanel(def: PanelDefinition, ctx: PanelContext): Panel {
  switch (def.type) {
    case 'timeseries':
      return new TimeseriesPanel(def, ctx);
    case 'stat':
      return new StatPanel(def, ctx);
    case 'gauge':
      return new GaugePanel(def, ctx);
    case 'table':
      return new TablePanel(def, ctx);
    case 'uptime':
      return new UptimePanel(def, ctx);
    case 'heatmap':
      return new HeatmapPanel(def, ctx);
    case 'forecast':
      return new ForecastPanel(def, ctx);
  }
}
