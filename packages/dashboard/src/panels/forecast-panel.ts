import type { PanelDefinition } from '../dashboard-definition.js';
import { h, replace } from '../dom.js';
import { formatDuration } from '../format-duration.js';
import { formatValue } from '../format-value.js';
import { forecastPath } from './forecast-path.js';
import type { Panel, PanelContext } from './panel.js';
import { PanelFrame } from './panel-frame.js';

/** GET /api/forecasts/month-end (the server's figures/cost-forecast.ts). */
interface MonthEnd {
  readonly basis: 'month_so_far' | 'not_enough_history';
  readonly history_seconds: number;
  readonly month_to_date: number;
  readonly days_averaged: number | null;
  readonly expected: number | null;
  readonly low: number | null;
  readonly high: number | null;
}

/** GET /api/forecasts/run-out (the server's figures/run-out.ts). */
interface RunOuts {
  readonly series: number;
  readonly forecasts: readonly {
    readonly labels: Readonly<Record<string, string>>;
    readonly remaining: number;
    readonly text: string;
    readonly earliest_text: string;
    readonly latest_text: string | null;
  }[];
  readonly not_enough_history: readonly { readonly history_seconds: number }[];
}

/** The fewest days of cost the month-end forecast is made from (daily-spending.ts' MIN_DAYS on the server). */
const MONTH_END_DAYS = 7;

/**
 * A forecast from now, whatever the picked range (docs/forecasts.md): the cost at the end of the
 * month with its 80% range, or when the soonest of a selector's falling series (free disk, a quota)
 * runs out. With too little history it says so, and shows no figure: a line through a few minutes
 * of data is not a forecast.
 */
export class ForecastPanel implements Panel {
  readonly #def: PanelDefinition;
  readonly #ctx: PanelContext;
  readonly #frame: PanelFrame;
  readonly #value = h('div', { class: 'stat-value forecast-value' });
  readonly #range = h('div', { class: 'forecast-range' });
  readonly #basis = h('div', { class: 'stat-basis' });

  constructor(def: PanelDefinition, ctx: PanelContext) {
    this.#def = def;
    this.#ctx = ctx;
    this.#frame = new PanelFrame('forecast', def.title, def.width, def.description);
    this.#frame.body.append(this.#value, this.#range, this.#basis);
  }

  get element(): HTMLElement {
    return this.#frame.element;
  }

  async load(): Promise<void> {
    try {
      if (this.#def.forecast === 'run-out')
        this.#showRunOut(await this.#ctx.api.get<RunOuts>(forecastPath(this.#def)));
      else this.#showMonthEnd(await this.#ctx.api.get<MonthEnd>(forecastPath(this.#def)));
    } catch (error) {
      this.#frame.fail(error);
    }
  }

  #showMonthEnd(f: MonthEnd): void {
    const money = (v: number | null) => formatValue(v, this.#def.unit, this.#def.decimals);
    const soFar = `month to date ${money(f.month_to_date)}`;
    if (f.basis === 'not_enough_history' || f.expected === null) {
      const stored =
        f.history_seconds > 0 ? `${formatDuration(f.history_seconds * 1000)} of data` : 'no data yet';
      this.#show('not enough history', '', `${stored}, ${MONTH_END_DAYS} days needed · ${soFar}`, false);
      return;
    }
    this.#show(
      money(f.expected),
      `80% range ${money(f.low)} – ${money(f.high)}`,
      `${soFar} · from ${f.days_averaged} days`,
      true,
    );
  }

  #showRunOut(r: RunOuts): void {
    const first = r.forecasts[0];
    if (first) {
      const labels = Object.entries(first.labels)
        .filter(([name]) => name !== '__name__')
        .map(([name, value]) => `${name}="${value}"`)
        .join(', ');
      const more = r.forecasts.length > 1 ? ` · ${r.forecasts.length - 1} more falling` : '';
      this.#show(
        first.text,
        `80% range ${first.earliest_text} to ${first.latest_text ?? 'never'}`,
        `${labels ? `${labels}: ` : ''}${formatValue(first.remaining, this.#def.unit, this.#def.decimals)} left${more}`,
        true,
      );
    } else if (r.not_enough_history.length > 0) {
      const most = Math.max(...r.not_enough_history.map((n) => n.history_seconds));
      this.#show('not enough history', '', `${formatDuration(most * 1000)} of data, a day needed`, false);
    } else if (r.series > 0) {
      this.#show('not running out', '', `${r.series} series, none falling`, true);
    } else {
      this.#frame.state = 'empty';
      this.#frame.message('No data');
    }
  }

  #show(value: string, range: string, basis: string, enough: boolean): void {
    replace(this.#value, value);
    this.#value.dataset.enough = String(enough);
    replace(this.#range, range);
    replace(this.#basis, basis);
    this.#basis.dataset.enough = String(enough);
    this.#frame.state = 'ok';
    this.#frame.message('');
  }

  destroy(): void {}
}
