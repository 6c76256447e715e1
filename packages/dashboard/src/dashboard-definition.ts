import type { Unit } from './format-value.js';
import type { Threshold } from './thresholds.js';

/**
 * The dashboard file format as GET /api/dashboards/{id} returns it (the server checks the files;
 * see packages/server/src/config/dashboard-definition.ts and the README).
 */
export interface DashboardDefinition {
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  readonly order: number;
  readonly panels: readonly PanelDefinition[];
}

export type PanelType = 'timeseries' | 'stat' | 'gauge' | 'table' | 'uptime' | 'heatmap' | 'forecast';

export interface QueryDefinition {
  readonly expr: string;
  readonly legend?: string;
}

export interface LiveDefinition {
  readonly match: string;
  readonly reduce: 'sum' | 'max' | 'min' | 'avg' | 'count' | 'rate' | 'none';
}

/** What a stat's figure stands on (see the server's dashboard-definition.ts). */
export interface BasisDefinition {
  /** PromQL: seconds of data. */
  readonly expr: string;
  /** Durations such as 1h, 1d. */
  readonly window: string;
  readonly enough: string;
}

export interface ColumnDefinition {
  readonly title: string;
  readonly expr?: string;
  readonly sessionField?: string;
  readonly label?: string;
  readonly unit?: Unit;
  readonly thresholds?: readonly Threshold[];
  readonly mappings?: Readonly<Record<string, string>>;
  readonly missing?: string;
}

export interface PanelDefinition {
  readonly type: PanelType;
  readonly title: string;
  readonly description?: string;
  readonly width: number;
  readonly unit: Unit;
  readonly decimals?: number;
  readonly min?: number;
  readonly max?: number;
  readonly thresholds?: readonly Threshold[];
  readonly queries: readonly QueryDefinition[];
  readonly live?: LiveDefinition;
  readonly basis?: BasisDefinition;
  readonly key?: string;
  readonly columns?: readonly ColumnDefinition[];
  readonly window?: string;
  readonly bucket?: string;
  /** forecast: of the selector that is its one query (docs/forecasts.md). */
  readonly forecast?: 'month-end' | 'run-out';
}

export interface DashboardSummary {
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  readonly order: number;
}

export interface DashboardList {
  readonly dashboards: readonly DashboardSummary[];
  readonly errors: readonly { readonly id: string; readonly error: string }[];
}
