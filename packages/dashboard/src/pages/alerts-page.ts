import type { ActiveAlert, AlertHistoryEvent, Silence } from '../alert-types.js';
import type { ApiClient } from '../api-client.js';
import { ApiError } from '../api-error.js';
import { type Child, h, replace } from '../dom.js';
import type { LiveSocket } from '../live-socket.js';
import { formatMatcher } from '../matchers.js';
import type { Labels } from '../prometheus-types.js';
import type { Page } from './page.js';
import { SilenceForm } from './silence-form.js';

/** Result of one of the page's API calls: its data, "not on this server", or an error. */
type Loaded<T> = { data: T } | { missing: string } | { error: string };

async function fetchOr<T>(call: Promise<T>, path: string): Promise<Loaded<T>> {
  try {
    return { data: await call };
  } catch (error) {
    // A 404 means the route is not there (alerting not configured, or an older server): an empty
    // state that says so, not an error.
    if (error instanceof ApiError && (error.status === 404 || error.status === 405))
      return { missing: `${path} is not available on this server` };
    return { error: `${path}: ${(error as Error).message}` };
  }
}

const labelChips = (labels: Labels, skip: readonly string[] = []) =>
  h(
    'span',
    { class: 'labels' },
    ...Object.entries(labels)
      .filter(([k]) => !skip.includes(k))
      .map(([k, v]) => h('span', { class: 'label-chip' }, `${k}=${v}`)),
  );

/** Prometheus writes alert values in Go's %e (`7.887943802632135e+00`); four figures read better. */
const readable = (value: string) => {
  const n = Number(value);
  return Number.isFinite(n) ? String(Number(n.toPrecision(4))) : value;
};

const when = (text: string) => {
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? new Date(ms).toLocaleString() : text;
};

/**
 * Firing, pending and silenced alerts (GET /api/alerts), silences (GET /api/silences) and history
 * (GET /api/alerts/history), with a form that creates a silence. Reloads when the stream reports an
 * alert event. Each part shows an empty state of its own while its route is missing.
 */
export class AlertsPage implements Page {
  readonly element: HTMLElement;
  readonly #api: ApiClient;
  readonly #form: SilenceForm;
  readonly #sections = {
    summary: h('div', { class: 'alert-summary' }),
    firing: h('section', { class: 'alert-section', 'data-section': 'firing' }),
    pending: h('section', { class: 'alert-section', 'data-section': 'pending' }),
    silenced: h('section', { class: 'alert-section', 'data-section': 'silenced' }),
    silences: h('section', { class: 'alert-section', 'data-section': 'silences' }),
    history: h('section', { class: 'alert-section', 'data-section': 'history' }),
  };
  readonly #stopLive: () => void;

  constructor(api: ApiClient, live: LiveSocket) {
    this.#api = api;
    this.#form = new SilenceForm(api, () => void this.load());
    const s = this.#sections;
    this.element = h(
      'div',
      { class: 'page', 'data-page': 'alerts' },
      h('header', { class: 'page-header' }, h('h2', {}, 'Alerts')),
      s.summary,
      s.firing,
      s.pending,
      s.silenced,
      h(
        'section',
        { class: 'alert-section', 'data-section': 'new-silence' },
        h('h3', {}, 'New silence'),
        this.#form.element,
      ),
      s.silences,
      s.history,
    );
    this.#stopLive = live.onAlert(() => void this.load());
  }

  async load(): Promise<void> {
    const [alerts, silences, history] = await Promise.all([
      fetchOr(this.#api.get<{ data: { alerts: ActiveAlert[] } }>('/api/alerts'), 'GET /api/alerts'),
      fetchOr(this.#api.get<Silence[]>('/api/silences'), 'GET /api/silences'),
      fetchOr(
        this.#api.get<{ data: { events: AlertHistoryEvent[] } }>('/api/alerts/history', { limit: 100 }),
        'GET /api/alerts/history',
      ),
    ]);
    const s = this.#sections;
    if ('data' in alerts) {
      const list = alerts.data.data.alerts;
      const silenced = list.filter((a) => (a.silencedBy?.length ?? 0) > 0);
      const firing = list.filter((a) => a.state === 'firing' && !silenced.includes(a));
      const pending = list.filter((a) => a.state === 'pending' && !silenced.includes(a));
      replace(
        s.summary,
        this.#count('Firing', firing.length, firing.length > 0 ? 'red' : 'green'),
        this.#count('Pending', pending.length, pending.length > 0 ? 'yellow' : 'green'),
        this.#count('Silenced', silenced.length, 'blue'),
      );
      this.#alertTable(s.firing, 'Firing', firing, 'No alert is firing.');
      this.#alertTable(s.pending, 'Pending', pending, 'No alert is pending.');
      this.#alertTable(s.silenced, 'Silenced', silenced, 'No alert is silenced.');
    } else {
      replace(s.summary);
      for (const [section, title] of [
        [s.firing, 'Firing'],
        [s.pending, 'Pending'],
        [s.silenced, 'Silenced'],
      ] as const) {
        this.#unavailable(section, title, alerts);
      }
    }
    if ('data' in silences) this.#silenceTable(s.silences, silences.data);
    else this.#unavailable(s.silences, 'Silences', silences);
    if ('data' in history) this.#historyTable(s.history, history.data.data.events);
    else this.#unavailable(s.history, 'History', history);
  }

  #count(title: string, n: number, color: string): HTMLElement {
    return h(
      'div',
      { class: `alert-count ${color}`, 'data-count': title.toLowerCase() },
      h('span', { class: 'n' }, n),
      title,
    );
  }

  #unavailable(section: HTMLElement, title: string, result: { missing: string } | { error: string }): void {
    replace(
      section,
      h('h3', {}, title),
      'missing' in result
        ? h(
            'p',
            { class: 'empty-state' },
            `Nothing to show: ${result.missing} (alerting is not set up here yet).`,
          )
        : h('p', { class: 'panel-message error' }, result.error),
    );
  }

  #alertTable(section: HTMLElement, title: string, alerts: readonly ActiveAlert[], empty: string): void {
    const rows = alerts.map((a) => {
      const silence = h('button', { type: 'button', class: 'small' }, 'Silence');
      silence.addEventListener('click', () => this.#form.prefill(a.labels));
      return h(
        'tr',
        {},
        h('td', { class: 'row-key' }, a.labels.alertname ?? ''),
        h('td', {}, a.labels.severity ?? ''),
        h('td', {}, labelChips(a.labels, ['alertname', 'severity'])),
        h('td', {}, a.annotations.summary ?? a.annotations.description ?? ''),
        h('td', {}, when(a.activeAt)),
        h('td', {}, readable(a.value)),
        h('td', {}, silence),
      );
    });
    replace(
      section,
      h('h3', {}, `${title} (${alerts.length})`),
      this.#table(['Alert', 'Severity', 'Labels', 'Summary', 'Active since', 'Value', ''], rows, empty),
    );
  }

  #silenceTable(section: HTMLElement, silences: readonly Silence[]): void {
    const rows = silences
      .filter((s) => s.status.state !== 'expired')
      .map((s) => {
        const expire = h('button', { type: 'button', class: 'small' }, 'Expire');
        expire.addEventListener('click', async () => {
          await this.#api.request('DELETE', `/api/silences/${encodeURIComponent(s.id)}`).catch(() => {});
          await this.load();
        });
        return h(
          'tr',
          { 'data-silence': s.id },
          h('td', {}, s.matchers.map(formatMatcher).join(', ')),
          h('td', {}, s.status.state),
          h('td', {}, when(s.startsAt)),
          h('td', {}, when(s.endsAt)),
          h('td', {}, s.createdBy),
          h('td', {}, s.comment),
          h('td', {}, expire),
        );
      });
    replace(
      section,
      h('h3', {}, `Silences (${rows.length})`),
      this.#table(
        ['Matchers', 'State', 'Starts', 'Ends', 'Created by', 'Comment', ''],
        rows,
        'No active or pending silence.',
      ),
    );
  }

  #historyTable(section: HTMLElement, events: readonly AlertHistoryEvent[]): void {
    const rows = events.map((e) =>
      e.kind === 'state'
        ? h(
            'tr',
            {},
            h('td', {}, when(e.time)),
            h('td', {}, labelChips(e.labels)),
            h('td', {}, `${e.from} → ${e.to}`),
            h('td', {}, readable(e.value)),
          )
        : h(
            'tr',
            {},
            h('td', {}, when(e.time)),
            h('td', {}, ...e.alerts.map((labels) => labelChips(labels))),
            h(
              'td',
              {},
              `${e.status} to ${e.receiver}: ${e.result}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`,
            ),
            h('td', {}, e.error ?? ''),
          ),
    );
    replace(
      section,
      h('h3', {}, 'History'),
      this.#table(['Time', 'Alert', 'Change', 'Value / error'], rows, 'No alert has changed state yet.'),
    );
  }

  #table(headers: readonly string[], rows: readonly Child[], empty: string): HTMLElement {
    if (rows.length === 0) return h('p', { class: 'empty-state' }, empty);
    return h(
      'table',
      { class: 'data-table' },
      h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', {}, t)))),
      h('tbody', {}, ...rows),
    );
  }

  destroy(): void {
    this.#stopLive();
  }
}
