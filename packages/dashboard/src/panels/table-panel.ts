import type { ColumnDefinition, PanelDefinition } from '../dashboard-definition.js';
import { h, replace } from '../dom.js';
import { formatValue } from '../format-value.js';
import type { Labels } from '../prometheus-types.js';
import { COLORS, thresholdColor } from '../thresholds.js';
import type { ResolvedRange } from '../time-range.js';
import type { Panel, PanelContext } from './panel.js';
import { PanelFrame } from './panel-frame.js';

/** The streaming-server seed's per-session document, as the server's /api/sessions serves it. */
interface SessionsDocument {
  readonly metrics?: { readonly sessions?: Readonly<Record<string, Readonly<Record<string, unknown>>>> };
}

type Cell = { readonly text: string; readonly value?: number; readonly column: ColumnDefinition };

/**
 * One row per value of the `key` label, one column per query (its value at the end of the range,
 * written through the column's `mappings` when it has them, its `missing` text when the row has
 * none), label, or field of /api/sessions (`state` is running / paused / stopped); cells coloured
 * by the column's thresholds.
 */
export class TablePanel implements Panel {
  readonly #def: PanelDefinition;
  readonly #ctx: PanelContext;
  readonly #frame: PanelFrame;

  constructor(def: PanelDefinition, ctx: PanelContext) {
    this.#def = def;
    this.#ctx = ctx;
    this.#frame = new PanelFrame('table', def.title, def.width, def.description);
  }

  get element(): HTMLElement {
    return this.#frame.element;
  }

  async load(range: ResolvedRange): Promise<void> {
    const key = this.#def.key!;
    const columns = this.#def.columns ?? [];
    const labelsByRow = new Map<string, Labels>();
    let values: Map<string, number>[];
    let sessions: SessionsDocument | undefined;
    try {
      [values, sessions] = await Promise.all([
        Promise.all(
          columns.map(async (column) => {
            const byRow = new Map<string, number>();
            if (column.expr === undefined) return byRow;
            for (const sample of await this.#ctx.queries.instant(column.expr, range)) {
              const row = sample.metric[key];
              if (row === undefined) continue;
              byRow.set(row, Number(sample.value[1]));
              labelsByRow.set(row, { ...labelsByRow.get(row), ...sample.metric });
            }
            return byRow;
          }),
        ),
        columns.some((c) => c.sessionField !== undefined)
          ? this.#ctx.api.get<SessionsDocument>('/api/sessions').catch(() => undefined)
          : Promise.resolve(undefined),
      ]);
    } catch (error) {
      this.#frame.fail(error);
      return;
    }
    const sessionRows = sessions?.metrics?.sessions ?? {};
    const rows = [...new Set([...labelsByRow.keys(), ...(sessions ? Object.keys(sessionRows) : [])])].sort();
    const cells = (row: string): Cell[] =>
      columns.map((column, i) => {
        if (column.label !== undefined) return { text: labelsByRow.get(row)?.[column.label] ?? '—', column };
        if (column.sessionField !== undefined) return sessionCell(sessionRows[row], column);
        const value = values[i]!.get(row);
        if (value === undefined) return { text: column.missing ?? '—', column };
        const mapped = column.mappings?.[String(value)];
        return {
          text: mapped ?? formatValue(value, column.unit ?? this.#def.unit, this.#def.decimals),
          value,
          column,
        };
      });
    const table = h(
      'table',
      { class: 'data-table' },
      h('thead', {}, h('tr', {}, h('th', {}, key), ...columns.map((c) => h('th', {}, c.title)))),
      h(
        'tbody',
        {},
        ...rows.map((row) =>
          h(
            'tr',
            { 'data-row': row },
            h('td', { class: 'row-key' }, row),
            ...cells(row).map((cell) => {
              const color =
                cell.value === undefined || !cell.column.thresholds
                  ? undefined
                  : thresholdColor(cell.value, cell.column.thresholds);
              return h(
                'td',
                {
                  style: color && `color: ${COLORS[color]}`,
                  'data-color': color,
                  title: cell.value === undefined ? undefined : String(cell.value),
                },
                cell.text,
              );
            }),
          ),
        ),
      ),
    );
    replace(this.#frame.body, table);
    this.#frame.state = rows.length === 0 ? 'empty' : 'ok';
    this.#frame.message(rows.length === 0 ? 'No data in this range' : '');
  }

  destroy(): void {}
}

function sessionCell(entry: Readonly<Record<string, unknown>> | undefined, column: ColumnDefinition): Cell {
  if (entry === undefined) return { text: '—', column };
  if (column.sessionField === 'state') {
    return {
      text: entry.is_running === false ? 'stopped' : entry.is_paused === true ? 'paused' : 'running',
      column,
    };
  }
  const value = entry[column.sessionField!];
  if (typeof value === 'boolean') return { text: value ? 'yes' : 'no', column };
  if (typeof value === 'number') return { text: formatValue(value, column.unit ?? 'short'), value, column };
  return { text: '—', column };
}
