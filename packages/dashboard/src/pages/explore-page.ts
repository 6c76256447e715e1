import { ApiError } from '../api-error.js';
import { h, replace } from '../dom.js';
import { errorPosition } from '../error-position.js';
import { unitOfQuery } from '../format-value.js';
import type { PanelContext } from '../panels/panel.js';
import { TimeseriesPanel } from '../panels/timeseries-panel.js';
import type { VectorSample } from '../prometheus-types.js';
import { queryHistory } from '../query-history.js';
import type { ResolvedRange } from '../time-range.js';
import { exploreHelp } from './explore-help.js';
import { type ExploreView, exploreView } from './explore-view.js';
import { instantTable } from './instant-table.js';
import { MetricBrowser } from './metric-browser.js';
import type { Page } from './page.js';
import { type QueryEditor, type QueryEditorOptions, textareaEditor } from './query-editor.js';

/**
 * Runs a PromQL query over the picked range and charts it. An error from the API is shown as the
 * server wrote it, with the query underlined from the position it names.
 */
export class ExplorePage implements Page {
  readonly element: HTMLElement;
  readonly #ctx: PanelContext;
  readonly #form: HTMLFormElement;
  readonly #error = h('div', { class: 'explore-error', role: 'alert' });
  readonly #chart = h('div', { class: 'grid' });
  readonly #history = h('details', { class: 'query-history' });
  readonly #onQuery: (query: string) => void;
  #editor: QueryEditor;
  #panel: TimeseriesPanel | undefined;
  #range: ResolvedRange | undefined;
  /** The query last handed to `onQuery`: running it again changes no URL, so it is run here. */
  #submitted: string;
  /** Bumped by each load, so a slower earlier one does not draw over a later one. */
  #generation = 0;
  #destroyed = false;
  /** Graph (a range query, charted) or Table (the instant query's series and values), as in Prometheus. */
  #view: ExploreView = exploreView.get();
  readonly #viewButtons = new Map<ExploreView, HTMLButtonElement>(
    (['graph', 'table'] as const).map((view) => [
      view,
      h(
        'button',
        { type: 'button', class: 'small', 'data-view': view },
        view === 'graph' ? 'Graph' : 'Table',
      ),
    ]),
  );

  /** `onQuery` keeps the query in the URL, so a reload or a shared link runs it again. */
  constructor(ctx: PanelContext, query: string, onQuery: (query: string) => void) {
    this.#ctx = ctx;
    this.#onQuery = onQuery;
    const options: QueryEditorOptions = {
      value: query,
      placeholder: 'PromQL, for example: sum by (operation) (rate(latency_operations_total[5m]))',
      label: 'PromQL query',
      onRun: () => this.#form.requestSubmit(),
    };
    this.#editor = textareaEditor(options);
    this.#submitted = query;
    this.#form = h(
      'form',
      { class: 'explore-form' },
      this.#editor.element,
      h('button', { type: 'submit' }, 'Run query'),
    );
    for (const [view, button] of this.#viewButtons) {
      button.addEventListener('click', () => {
        this.#setView(view);
        if (this.#range) void this.load(this.#range);
      });
    }
    this.#setView(this.#view);
    this.#form.addEventListener('submit', (event) => {
      event.preventDefault();
      const query = this.#editor.value.trim();
      if (query !== this.#submitted) {
        this.#submitted = query;
        this.#onQuery(query);
      } else if (this.#range) void this.load(this.#range);
    });
    const put = (text: string) => {
      this.#editor.value = text;
      this.#form.requestSubmit();
    };
    this.element = h(
      'div',
      { class: 'page', 'data-page': 'explore' },
      h(
        'header',
        { class: 'page-header' },
        h('h2', {}, 'Explore'),
        h('p', {}, 'Run a PromQL query over the picked time range (Enter).'),
      ),
      this.#form,
      h(
        'div',
        { class: 'explore-views', role: 'group', 'aria-label': 'View' },
        ...this.#viewButtons.values(),
      ),
      h(
        'div',
        { class: 'explore-tools' },
        new MetricBrowser(ctx.api, (name) => this.#editor.insert(name)).element,
        this.#history,
        exploreHelp(put),
      ),
      this.#error,
      this.#chart,
    );
    this.#showHistory(queryHistory.list());
    // The editor and CodeMirror are a chunk of their own: only this page pays for them.
    void import('./promql-editor.js').then(
      ({ createPromqlEditor }) => {
        if (this.#destroyed) return;
        const editor = createPromqlEditor({ ...options, value: this.#editor.value }, () => ctx.api.token);
        this.#editor.element.replaceWith(editor.element);
        this.#editor.destroy();
        this.#editor = editor;
        this.element.dataset.editor = 'promql';
      },
      // The textarea stays: queries can still be typed and run, without completion.
      () => {},
    );
  }

  async load(range: ResolvedRange): Promise<void> {
    this.#range = range;
    const generation = ++this.#generation;
    const query = this.#editor.value.trim();
    if (query === '') return this.#clear();
    let error: unknown;
    let samples: VectorSample[] = [];
    try {
      // Run first as an instant query, so a bad query shows one clear error, not a panel's; the
      // Table view is its answer.
      samples = await this.#ctx.queries.instant(query, range);
    } catch (e) {
      error = e;
    }
    if (generation !== this.#generation) return;
    this.#clear();
    if (error !== undefined) return this.#showError(query, error);
    this.#showHistory(queryHistory.add(query));
    if (this.#view === 'table') {
      this.#chart.appendChild(instantTable(samples, unitOfQuery(query), range.end));
      return;
    }
    this.#panel = new TimeseriesPanel(
      { type: 'timeseries', title: query, width: 12, unit: unitOfQuery(query), queries: [{ expr: query }] },
      this.#ctx,
    );
    this.#chart.appendChild(this.#panel.element);
    await this.#panel.load(range, false);
  }

  #setView(view: ExploreView): void {
    this.#view = view;
    exploreView.set(view);
    for (const [v, button] of this.#viewButtons) button.setAttribute('aria-pressed', String(v === view));
  }

  /** The queries run before, newest first: one click puts a query back and runs it. */
  #showHistory(queries: readonly string[]): void {
    replace(
      this.#history,
      h('summary', {}, `Query history (${queries.length})`),
      h(
        'ul',
        {},
        ...queries.map((query) => {
          const button = h('button', { type: 'button', class: 'history-query' }, query);
          button.addEventListener('click', () => {
            this.#editor.value = query;
            this.#form.requestSubmit();
          });
          return h('li', {}, button);
        }),
      ),
    );
    this.#history.hidden = queries.length === 0;
  }

  #clear(): void {
    replace(this.#error);
    this.#panel?.destroy();
    this.#panel = undefined;
    replace(this.#chart);
  }

  #showError(query: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const type = error instanceof ApiError ? `${error.errorType} (HTTP ${error.status})` : 'error';
    const at = errorPosition(query, message);
    replace(
      this.#error,
      h('strong', {}, type),
      ': ',
      message,
      at !== undefined &&
        h(
          'pre',
          { class: 'error-query' },
          query.slice(0, at),
          h('mark', { class: 'error-at' }, query.slice(at) || ' '),
        ),
    );
  }

  destroy(): void {
    this.#destroyed = true;
    this.#editor.destroy();
    this.#panel?.destroy();
  }
}
