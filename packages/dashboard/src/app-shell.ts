import { AnomalyBands } from './anomaly-bands.js';
import { ApiClient } from './api-client.js';
import type { DashboardDefinition, DashboardList } from './dashboard-definition.js';
import { h, replace } from './dom.js';
import { earlyNow } from './early-requests.js';
import { isUtc, setUtc } from './format-time.js';
import { LiveSocket } from './live-socket.js';
import { NavMenu } from './nav-menu.js';
import { AlertsPage } from './pages/alerts-page.js';
import { DashboardPage } from './pages/dashboard-page.js';
import { ExplorePage } from './pages/explore-page.js';
import { IncidentsPage } from './pages/incidents-page.js';
import type { Page } from './pages/page.js';
import { ReportsPage } from './pages/reports-page.js';
import { SlosPage } from './pages/slos-page.js';
import type { PanelContext } from './panels/panel.js';
import { QueryClient } from './query-client.js';
import { RefreshPicker } from './refresh-picker.js';
import { TimePicker } from './time-picker.js';
import { endsNow, resolveRange } from './time-range.js';
import { tokenPrompt } from './token-prompt.js';
import {
  isDashboardPage,
  REFRESH_INTERVALS,
  readUrlState,
  type UrlState,
  writeUrlState,
} from './url-state.js';

/**
 * The page around the pages: navigation (the dashboard files, then Alerts and Explore), the time
 * and refresh pickers, the live indicator; the URL hash is the state, so the back button and
 * reloads keep the view.
 */
export class AppShell {
  readonly #root: HTMLElement;
  readonly #api = new ApiClient(tokenPrompt);
  readonly #live = new LiveSocket(() => this.#api.token);
  readonly #ctx: PanelContext;
  readonly #menu = new NavMenu();
  readonly #main = h('main', { class: 'content' });
  readonly #status = h(
    'span',
    { class: 'live-status', 'data-state': 'connecting', title: 'Live stream', role: 'status' },
    'connecting',
  );
  readonly #time: TimePicker;
  readonly #refresh: RefreshPicker;
  #dashboards: DashboardList = { dashboards: [], errors: [] };
  #state: UrlState | undefined;
  #page: Page | undefined;
  #pageKey = '';
  /** The definition of the page the URL named at start, asked for alongside the dashboard list. */
  #early: { readonly id: string; readonly definition: Promise<DashboardDefinition> } | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(root: HTMLElement) {
    this.#root = root;
    this.#ctx = {
      api: this.#api,
      queries: new QueryClient(this.#api),
      live: this.#live,
      bands: new AnomalyBands(this.#api),
    };
    this.#time = new TimePicker((range) => this.#go({ range }));
    this.#refresh = new RefreshPicker(
      (refresh) => this.#go({ refresh }),
      () => void this.#load(),
    );
    this.#live.onStatus(() => this.#showFreshness());
    setInterval(() => this.#showFreshness(), 1000);
  }

  #showFreshness(): void {
    const { state, detail } = this.#live.freshness();
    if (this.#status.dataset.state === state && this.#status.title === detail) return;
    this.#status.dataset.state = state;
    this.#status.title = detail;
    replace(
      this.#status,
      state === 'open'
        ? 'live'
        : state === 'stale'
          ? `stale: ${detail}`
          : state === 'closed'
            ? 'disconnected'
            : 'connecting',
    );
  }

  /** Local time or UTC for every time shown; the pages draw again in the one picked. */
  #zoneButton(): HTMLElement {
    const button = h('button', {
      type: 'button',
      class: 'zone-button',
      title: 'Show times in local time or UTC',
    });
    const label = () => replace(button, isUtc() ? 'UTC' : 'Local');
    label();
    button.addEventListener('click', () => {
      setUtc(!isUtc());
      label();
      void this.#load();
    });
    return button;
  }

  async start(): Promise<void> {
    replace(
      this.#root,
      h(
        'header',
        { class: 'topbar' },
        h('h1', {}, h('a', { href: '#/', class: 'brand' }, 'vigil')),
        this.#menu.toggle,
        this.#menu.nav,
        h(
          'div',
          { class: 'controls' },
          this.#status,
          this.#time.element,
          this.#zoneButton(),
          this.#refresh.element,
        ),
      ),
      this.#main,
    );
    // The page a link names needs its definition as much as the list: both are asked at once, so
    // opening a dashboard costs one round trip before its queries instead of two.
    const named = readUrlState(location.hash, '').page;
    if (isDashboardPage(named)) {
      this.#early = { id: named, definition: this.#definition(named) };
      // #open awaits it; until then a refusal must not count as unhandled.
      this.#early.definition.catch(() => {});
    }
    try {
      this.#dashboards = await this.#api.get<DashboardList>('/api/dashboards');
    } catch (error) {
      replace(
        this.#main,
        h('p', { class: 'panel-message error' }, `Cannot list the dashboards: ${(error as Error).message}`),
      );
    }
    this.#live.connect();
    window.addEventListener('hashchange', () => void this.#route());
    await this.#route();
  }

  #go(change: Partial<UrlState>): void {
    if (!this.#state) return;
    location.hash = writeUrlState({ ...this.#state, ...change });
  }

  async #route(): Promise<void> {
    const state = readUrlState(location.hash, this.#dashboards.dashboards[0]?.id ?? 'explore');
    this.#state = state;
    this.#time.show(state.range);
    this.#refresh.show(state.refresh);
    this.#renderNav(state);
    this.#schedule(state.refresh);
    const key = state.page === 'explore' ? `explore:${state.query}` : state.page;
    if (key !== this.#pageKey || !this.#page) {
      // Explore keeps its page when only the query changed: the page ran it already.
      if (!(this.#page instanceof ExplorePage && state.page === 'explore')) {
        this.#page?.destroy();
        this.#page = undefined;
        const page = await this.#open(state);
        if (!page) return;
        this.#page = page;
        replace(this.#main, page.element, ...this.#brokenFiles());
      }
      this.#pageKey = key;
    }
    await this.#load();
  }

  async #open(state: UrlState): Promise<Page | undefined> {
    if (state.page === 'alerts') return new AlertsPage(this.#api, this.#live);
    if (state.page === 'incidents') return new IncidentsPage(this.#api, state.query || undefined);
    if (state.page === 'slos') return new SlosPage(this.#ctx);
    if (state.page === 'reports') return new ReportsPage(this.#api);
    if (state.page === 'explore')
      return new ExplorePage(this.#ctx, state.query, (query) => this.#go({ query }));
    const early = this.#early?.id === state.page ? this.#early.definition : undefined;
    this.#early = undefined;
    try {
      const def = await (early ?? this.#definition(state.page));
      return new DashboardPage(def, this.#ctx);
    } catch (error) {
      replace(
        this.#main,
        h('p', { class: 'panel-message error' }, `Dashboard "${state.page}": ${(error as Error).message}`),
      );
      return undefined;
    }
  }

  #definition(id: string): Promise<DashboardDefinition> {
    return this.#api.get<DashboardDefinition>(`/api/dashboards/${encodeURIComponent(id)}`);
  }

  /** Dashboard files the server could not read, named under the page so their authors see why. */
  #brokenFiles(): HTMLElement[] {
    return this.#dashboards.errors.map((e) =>
      h('p', { class: 'panel-message error' }, `Dashboard file "${e.id}": ${e.error}`),
    );
  }

  async #load(): Promise<void> {
    const state = this.#state;
    if (!state || !this.#page) return;
    // The first load of the page boot.ts prepared asks for the range boot.ts sent queries for.
    const range = resolveRange(state.range, earlyNow(location.hash) ?? Date.now());
    if (range instanceof Error) {
      replace(this.#main, h('p', { class: 'panel-message error' }, range.message));
      return;
    }
    await this.#page.load(range, endsNow(state.range));
  }

  #schedule(refresh: string): void {
    clearInterval(this.#timer);
    const ms = REFRESH_INTERVALS.find((r) => r.label === refresh)?.ms ?? 0;
    this.#timer = ms > 0 ? setInterval(() => void this.#load(), ms) : undefined;
  }

  #renderNav(state: UrlState): void {
    const link = (id: string, title: string) =>
      h(
        'a',
        {
          href: writeUrlState({ ...state, page: id, query: id === 'explore' ? state.query : '' }),
          class: id === state.page ? 'active' : undefined,
          'data-nav': id,
        },
        title,
      );
    this.#menu.close();
    replace(
      this.#menu.nav,
      ...this.#dashboards.dashboards.map((d) => link(d.id, d.title)),
      link('alerts', 'Alerts'),
      link('incidents', 'Incidents'),
      link('slos', 'SLOs'),
      link('reports', 'Reports'),
      link('explore', 'Explore'),
    );
  }
}
