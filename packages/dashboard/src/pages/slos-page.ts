import { h, replace } from '../dom.js';
import type { PanelContext } from '../panels/panel.js';
import { TimeseriesPanel } from '../panels/timeseries-panel.js';
import { UNIT_MS } from '../time-range.js';
import type { Page } from './page.js';

interface Slo {
  readonly name: string;
  readonly description: string;
  readonly objective: number;
  readonly window: string;
  readonly sli: number | null;
  readonly errorBudget: {
    readonly ratio: number;
    readonly remaining: number | null;
    readonly minutes: number;
    readonly remainingMinutes: number | null;
  };
  readonly burnRate: { readonly '5m': number | null; readonly '1h': number | null };
  readonly alerts: readonly { labels: Record<string, string>; state: string }[];
}

const pct = (x: number | null, digits = 3) => (x === null ? '–' : `${(x * 100).toFixed(digits)}%`);
const num = (x: number | null) => (x === null ? '–' : x.toFixed(2));

/** `30d` in ms. */
const windowMs = (window: string) => Number(window.slice(0, -1)) * (UNIT_MS[window.slice(-1)] ?? Number.NaN);

/**
 * SLOs (GET /api/slos): SLI, error budget left (share, minutes, a bar), burn rates and firing
 * burn-rate alerts; under the table, each SLO's budget burn-down over its whole window: the budget
 * left at each moment, `1 − error ratio over the window ÷ budget`, from the window's recorded ratio.
 */
export class SlosPage implements Page {
  readonly element: HTMLElement;
  readonly #ctx: PanelContext;
  readonly #body = h('section', { class: 'alert-section', 'data-section': 'slos' });
  readonly #charts = h('div', { class: 'grid', 'data-section': 'slo-burn-down' });
  #panels = new Map<string, TimeseriesPanel>();

  constructor(ctx: PanelContext) {
    this.#ctx = ctx;
    this.element = h(
      'div',
      { class: 'page', 'data-page': 'slos' },
      h('header', { class: 'page-header' }, h('h2', {}, 'SLOs')),
      this.#body,
      this.#charts,
    );
  }

  /** One burn-down chart per SLO, kept across reloads while the SLO is. */
  async #burnDowns(slos: readonly Slo[]): Promise<void> {
    const next = new Map<string, TimeseriesPanel>();
    for (const s of slos) {
      const panel =
        this.#panels.get(s.name) ??
        new TimeseriesPanel(
          {
            type: 'timeseries',
            title: `${s.name}: error budget left over ${s.window}`,
            width: 6,
            unit: 'ratio',
            queries: [
              {
                expr: `1 - slo:sli_error:ratio_rate${s.window}{slo=${JSON.stringify(s.name)}} / ${s.errorBudget.ratio}`,
                legend: 'budget left',
              },
            ],
          },
          this.#ctx,
        );
      panel.element.dataset.slo = s.name;
      next.set(s.name, panel);
    }
    for (const [name, panel] of this.#panels) if (!next.has(name)) panel.destroy();
    this.#panels = next;
    replace(this.#charts, ...[...next.values()].map((p) => p.element));
    const now = Date.now();
    await Promise.all(
      slos.map((s) => next.get(s.name)!.load({ start: now - windowMs(s.window), end: now }, false)),
    );
  }

  async load(): Promise<void> {
    let slos: readonly Slo[];
    try {
      slos = (await this.#ctx.api.get<{ slos: Slo[] }>('/api/slos')).slos;
    } catch (error) {
      replace(this.#body, h('p', { class: 'panel-message error' }, `/api/slos: ${(error as Error).message}`));
      return;
    }
    if (slos.length === 0) {
      replace(
        this.#body,
        h(
          'p',
          { class: 'empty' },
          'No SLOs are defined: add slos or slo_files to vigil.yaml (see docs/slos.md).',
        ),
      );
      return;
    }
    replace(
      this.#body,
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'alert-table' },
          h(
            'tr',
            {},
            ...['SLO', 'Objective', 'SLI', 'Budget left', 'Minutes left', 'Burn 5m', 'Burn 1h', 'Alerts'].map(
              (t) => h('th', {}, t),
            ),
          ),
          ...slos.map((s) => {
            const left = s.errorBudget.remaining;
            const bar = h('span', {
              class: 'budget-bar',
              style: `display:inline-block;height:.6em;width:${Math.max(0, Math.min(1, left ?? 0)) * 6}em;background:${(left ?? 1) < 0.25 ? '#d33' : '#3a3'}`,
            });
            return h(
              'tr',
              { 'data-slo': s.name },
              h('td', {}, s.name, s.description ? h('small', {}, ` ${s.description}`) : null),
              h('td', {}, `${pct(s.objective, 2)} / ${s.window}`),
              h('td', {}, pct(s.sli)),
              h('td', { 'data-budget': left === null ? '' : String(left) }, bar, ` ${pct(left, 1)}`),
              h(
                'td',
                {},
                s.errorBudget.remainingMinutes === null
                  ? '–'
                  : `${s.errorBudget.remainingMinutes.toFixed(1)} of ${s.errorBudget.minutes.toFixed(1)}`,
              ),
              h('td', {}, num(s.burnRate['5m'])),
              h('td', {}, num(s.burnRate['1h'])),
              h(
                'td',
                {},
                s.alerts.map((a) => `${a.labels.slo_severity ?? a.labels.alertname} ${a.state}`).join(', ') ||
                  '–',
              ),
            );
          }),
        ),
      ),
    );
    await this.#burnDowns(slos);
  }

  destroy(): void {
    for (const panel of this.#panels.values()) panel.destroy();
  }
}
