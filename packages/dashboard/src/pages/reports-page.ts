import type { ApiClient } from '../api-client.js';
import { h, replace } from '../dom.js';
import { isUtc } from '../format-time.js';
import { formatValue, type Unit } from '../format-value.js';
import type { ResolvedRange } from '../time-range.js';
import type { Page } from './page.js';

type ReportUnit = 'ratio' | 'seconds' | 'count' | 'usd' | 'duration';

interface ReportFigure {
  readonly current: number | null;
  readonly previous: number | null;
  readonly change: { readonly value: number; readonly unit: 'pts' | '%' } | null;
}

/** GET /api/reports in JSON (packages/server/src/reports/report-json.ts). */
interface ReportDocument {
  readonly start: string;
  readonly end: string;
  readonly previousStart: string;
  /** The periods as the clocks of the zone asked for show them: `2026-03-27 09:00 to ... UTC+1`. */
  readonly period: string;
  readonly previousPeriod: string;
  readonly sections: readonly {
    readonly id: string;
    readonly title: string;
    readonly keys: readonly string[];
    readonly columns: readonly { readonly key: string; readonly title: string; readonly unit: ReportUnit }[];
    readonly rows: readonly {
      readonly labels: Readonly<Record<string, string>>;
      readonly figures: Readonly<Record<string, ReportFigure>>;
    }[];
    readonly note?: string;
  }[];
  readonly withoutData: readonly string[];
}

const UNITS: Readonly<Record<ReportUnit, Unit>> = {
  ratio: 'ratio',
  seconds: 's',
  count: 'short',
  usd: 'usd',
  duration: 's',
};

/** `▲ 12%`, `▼ 0.3 pts`, `= 0%`, as the report's other formats write a change. */
function changeText(c: ReportFigure['change']): string {
  if (!c) return '';
  const digits = Math.abs(c.value) < 10 ? 1 : 0;
  const size = Math.abs(c.value).toFixed(digits);
  const text = `${size}${c.unit === 'pts' ? ' pts' : '%'}`;
  if (Number(size) === 0) return `= ${text}`;
  return `${c.value > 0 ? '▲' : '▼'} ${text}`;
}

/**
 * The report of `vigil report` and of the scheduled ones (GET /api/reports) over the period the time
 * picker shows: its span is the period and its end the report's end, so any period can be read.
 * Every figure stands beside its change against the period before.
 */
export class ReportsPage implements Page {
  readonly element: HTMLElement;
  readonly #api: ApiClient;
  readonly #span = h('p', { class: 'report-span' });
  readonly #body = h('div', { 'data-section': 'report' });

  constructor(api: ApiClient) {
    this.#api = api;
    this.element = h(
      'div',
      { class: 'page', 'data-page': 'reports' },
      h('header', { class: 'page-header' }, h('h2', {}, 'Report'), this.#span),
      this.#body,
    );
  }

  async load(range: ResolvedRange): Promise<void> {
    const periodSeconds = Math.max(60, Math.round((range.end - range.start) / 1000));
    let report: ReportDocument;
    try {
      report = await this.#api.get<ReportDocument>('/api/reports', {
        period: `${periodSeconds}s`,
        end: String(range.end / 1000),
        // The zone the rest of the dashboard writes times in: the browser's own, or UTC if picked.
        timezone: isUtc() ? 'UTC' : Intl.DateTimeFormat().resolvedOptions().timeZone,
      });
    } catch (error) {
      replace(
        this.#body,
        h('p', { class: 'panel-message error' }, `/api/reports: ${(error as Error).message}`),
      );
      return;
    }
    replace(this.#span, `${report.period}, each figure beside its change against ${report.previousPeriod}`);
    replace(
      this.#body,
      ...report.sections.map((s) =>
        h(
          'section',
          { class: 'alert-section', 'data-report-section': s.id },
          h('h3', {}, s.title),
          s.rows.length === 0
            ? h('p', { class: 'empty' }, s.note ?? 'Nothing in this period.')
            : h(
                'div',
                { class: 'table-scroll' },
                h(
                  'table',
                  { class: 'alert-table' },
                  h('tr', {}, ...[...s.keys, ...s.columns.map((c) => c.title)].map((t) => h('th', {}, t))),
                  ...s.rows.map((row) =>
                    h(
                      'tr',
                      {},
                      ...s.keys.map((k) => h('td', {}, row.labels[k] || '–')),
                      ...s.columns.map((c) => {
                        const f = row.figures[c.key];
                        const delta = changeText(f?.change ?? null);
                        return h(
                          'td',
                          { 'data-column': c.key },
                          f?.current === null || f === undefined
                            ? '–'
                            : formatValue(f.current, UNITS[c.unit]),
                          delta && h('small', { class: 'report-change' }, ` ${delta}`),
                        );
                      }),
                    ),
                  ),
                ),
              ),
          s.rows.length > 0 && s.note ? h('p', { class: 'empty' }, s.note) : undefined,
        ),
      ),
      report.withoutData.length > 0
        ? h(
            'p',
            { class: 'empty', 'data-section': 'without-data' },
            `Left out, as the store holds no data for them in either period: ${report.withoutData.join(', ')}.`,
          )
        : undefined,
    );
  }

  destroy(): void {}
}
