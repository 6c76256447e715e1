import { type AlertHistoryGroup, groupAlertHistory } from '../alert-history-groups.js';
import type { ActiveAlert, AlertHistoryEvent, Silence } from '../alert-types.js';
import type { ApiClient } from '../api-client.js';
import { ApiError } from '../api-error.js';
import { authorName } from '../author-name.js';
import { type Child, h, replace } from '../dom.js';
import { formatMatcher } from '../format-matcher.js';
import { formatTimeText } from '../format-time.js';
import { formatValue, type Unit, unitOfQuery } from '../format-value.js';
import type { LiveSocket } from '../live-socket.js';
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

/** Alerts on one page of the history table. */
const HISTORY_PAGE = 20;
/** History events fetched, newest first: the alerts the table can turn through. */
const HISTORY_LIMIT = 2000;

/** An open or acknowledged incident, as much of GET /api/incidents as an alert row needs. */
interface ActiveIncident {
  readonly id: string;
  readonly status: 'open' | 'acknowledged';
  readonly alerts: readonly { readonly labels: Labels; readonly status: string }[];
}

interface RulesDocument {
  readonly data: {
    readonly groups: readonly { readonly rules: readonly { name: string; query: string }[] }[];
  };
}

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
  /** The unit of each alert's values, read from its rule's expression. */
  #units = new Map<string, Unit>();
  /** Open and acknowledged incidents, so a firing alert's row can link to and acknowledge its own. */
  #incidents: readonly ActiveIncident[] = [];
  #historyPage = 0;
  /** Alerts whose events are open under their history row, kept across reloads. */
  readonly #openHistory = new Set<string>();

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

  /**
   * An alert's value (Prometheus writes them in Go's %e, `7.887943802632135e+00`) in the unit of the
   * metric its rule reads: `12.4 ms`, `90.6 MiB`, not `0.01241`, `94960000`.
   */
  #value(alertname: string | undefined, value: string): string {
    const n = Number(value);
    if (value === '' || !Number.isFinite(n)) return value;
    const unit = this.#units.get(alertname ?? '') ?? 'short';
    return formatValue(n, unit);
  }

  async load(): Promise<void> {
    const rules = await this.#api.get<RulesDocument>('/api/rules').catch(() => undefined);
    for (const group of rules?.data.groups ?? [])
      for (const rule of group.rules) if (rule.query) this.#units.set(rule.name, unitOfQuery(rule.query));
    const [alerts, silences, history, incidents] = await Promise.all([
      fetchOr(this.#api.get<{ data: { alerts: ActiveAlert[] } }>('/api/alerts'), 'GET /api/alerts'),
      fetchOr(this.#api.get<Silence[]>('/api/silences'), 'GET /api/silences'),
      fetchOr(
        this.#api.get<{ data: { events: AlertHistoryEvent[] } }>('/api/alerts/history', {
          limit: HISTORY_LIMIT,
        }),
        'GET /api/alerts/history',
      ),
      fetchOr(
        this.#api.get<{ incidents: ActiveIncident[] }>('/api/incidents', { status: 'active' }),
        'GET /api/incidents',
      ),
    ]);
    this.#incidents = 'data' in incidents ? incidents.data.incidents : [];
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
        h('td', {}, formatTimeText(a.activeAt)),
        h('td', {}, this.#value(a.labels.alertname, a.value)),
        h('td', {}, this.#incidentCell(a)),
        h('td', {}, silence),
      );
    });
    replace(
      section,
      h('h3', {}, `${title} (${alerts.length})`),
      this.#table(
        ['Alert', 'Severity', 'Labels', 'Summary', 'Active since', 'Value', 'Incident', ''],
        rows,
        empty,
      ),
    );
  }

  /**
   * The incident a firing alert is part of, with Acknowledge while it is open. The rule's alert lacks
   * the external labels the notification carries, so its labels need only be a subset of the
   * incident alert's.
   */
  #incidentCell(a: ActiveAlert): HTMLElement | null {
    const own = Object.entries(a.labels);
    const incident = this.#incidents.find((i) =>
      i.alerts.some((ia) => ia.status === 'firing' && own.every(([k, v]) => ia.labels[k] === v)),
    );
    if (!incident) return null;
    const link = h('a', { href: `#/incidents/${encodeURIComponent(incident.id)}` }, incident.status);
    if (incident.status !== 'open') return h('span', { 'data-incident': incident.id }, link);
    const ack = h('button', { type: 'button', class: 'small', 'data-ack': incident.id }, 'Acknowledge');
    ack.addEventListener('click', async () => {
      ack.disabled = true;
      try {
        await this.#api.post(`/api/incidents/${encodeURIComponent(incident.id)}/ack`, {
          by: authorName.get() || 'dashboard',
        });
      } catch (error) {
        ack.title = `not acknowledged: ${(error as Error).message}`;
        ack.disabled = false;
        return;
      }
      await this.load();
    });
    return h('span', { 'data-incident': incident.id }, link, ' ', ack);
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
          h('td', {}, formatTimeText(s.startsAt)),
          h('td', {}, formatTimeText(s.endsAt)),
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

  /**
   * One row per alert (label set): its last state and when, how often it fired, its last value,
   * the notifications that carried it; a button opens its events beneath. Paged by alerts.
   */
  #historyTable(section: HTMLElement, events: readonly AlertHistoryEvent[]): void {
    const groups = groupAlertHistory(events);
    const pages = Math.max(1, Math.ceil(groups.length / HISTORY_PAGE));
    this.#historyPage = Math.min(this.#historyPage, pages - 1);
    const first = this.#historyPage * HISTORY_PAGE;
    const rows = groups
      .slice(first, first + HISTORY_PAGE)
      .flatMap((g) => this.#historyRows(g, section, events));
    const turn = (label: string, to: number) => {
      const button = h('button', { type: 'button', class: 'small', disabled: to < 0 || to >= pages }, label);
      button.addEventListener('click', () => {
        this.#historyPage = to;
        this.#historyTable(section, events);
      });
      return button;
    };
    replace(
      section,
      h(
        'h3',
        {},
        `History (${groups.length} ${groups.length === 1 ? 'alert' : 'alerts'}`,
        events.length >= HISTORY_LIMIT ? `, from the last ${events.length} events)` : ')',
      ),
      this.#table(
        ['Alert', 'Labels', 'Last state', 'Since', 'Fired', 'Last value', 'Notifications', ''],
        rows,
        'No alert has changed state yet.',
      ),
      pages > 1 &&
        h(
          'div',
          { class: 'pager' },
          turn('Newer', this.#historyPage - 1),
          h('span', {}, `${first + 1}–${Math.min(first + HISTORY_PAGE, groups.length)} of ${groups.length}`),
          turn('Older', this.#historyPage + 1),
        ),
    );
  }

  #historyRows(
    g: AlertHistoryGroup,
    section: HTMLElement,
    events: readonly AlertHistoryEvent[],
  ): HTMLElement[] {
    const key = JSON.stringify(g.labels);
    const open = this.#openHistory.has(key);
    const toggle = h(
      'button',
      { type: 'button', class: 'small', 'aria-expanded': String(open) },
      `${open ? 'Hide' : 'Events'} (${g.events.length})`,
    );
    toggle.addEventListener('click', () => {
      if (open) this.#openHistory.delete(key);
      else this.#openHistory.add(key);
      this.#historyTable(section, events);
    });
    const last = g.events.find((e) => e.kind === 'state');
    const state =
      last === undefined
        ? 'notified'
        : last.from === 'firing' && last.to === 'inactive'
          ? 'resolved'
          : last.to;
    const row = h(
      'tr',
      { 'data-alert': key },
      h('td', { class: 'row-key' }, g.labels.alertname ?? ''),
      h('td', {}, labelChips(g.labels, ['alertname'])),
      h('td', {}, h('span', { class: `alert-state state-${state}` }, state)),
      h('td', {}, formatTimeText(g.lastTime)),
      h('td', {}, g.fired),
      h('td', {}, g.value === undefined ? '' : this.#value(g.labels.alertname, g.value)),
      h(
        'td',
        { title: g.lastError ?? '' },
        g.sent + g.failed === 0 ? '' : `${g.sent} sent${g.failed > 0 ? `, ${g.failed} failed` : ''}`,
      ),
      h('td', {}, toggle),
    );
    if (!open) return [row];
    return [
      row,
      h(
        'tr',
        { class: 'history-events' },
        h(
          'td',
          { colspan: 8 },
          h(
            'ul',
            {},
            ...g.events.map((e) =>
              h(
                'li',
                {},
                h('span', { class: 'event-time' }, formatTimeText(e.time)),
                ' ',
                e.kind === 'state'
                  ? `${e.from} → ${e.to} at ${this.#value(g.labels.alertname, e.value)}`
                  : `${e.status} notification to ${e.receiver}: ${e.result}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}${e.error ? `: ${e.error}` : ''}`,
              ),
            ),
          ),
        ),
      ),
    ];
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
