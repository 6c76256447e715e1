import type { ApiClient } from '../api-client.js';
import { authorName } from '../author-name.js';
import { h, replace } from '../dom.js';
import { formatTimeText } from '../format-time.js';
import type { Page } from './page.js';
import { RecoveryCharts } from './recovery-charts.js';

interface TimelineEntry {
  readonly at: string;
  readonly kind: string;
  readonly text: string;
  readonly by: string | null;
}

interface Incident {
  readonly id: string;
  readonly title: string;
  readonly severity: string;
  readonly status: 'open' | 'acknowledged' | 'resolved';
  readonly openedAt: string;
  readonly acknowledgedAt: string | null;
  readonly acknowledgedBy: string | null;
  readonly resolvedAt: string | null;
  readonly alerts: readonly {
    labels: Record<string, string>;
    annotations: Record<string, string>;
    status: string;
  }[];
  readonly timeline?: readonly TimelineEntry[];
}

/** Rows listed; the recovery charts read up to 1000 incidents. */
const ROWS = 200;

const time = (iso: string | null) => (iso === null ? '–' : formatTimeText(iso));

/**
 * Incidents (GET /api/incidents): open and acknowledged first, each with an Acknowledge button
 * (POST /api/incidents/{id}/ack); a row (or a notification's link, `#/incidents/<id>`) opens the
 * incident's alerts, runbooks, timeline and post-mortem draft, with Acknowledge, Resolve and a note
 * (POST …/ack, …/resolve, …/notes), signed with the name the browser remembers.
 */
export class IncidentsPage implements Page {
  readonly element: HTMLElement;
  readonly #api: ApiClient;
  readonly #list = h('section', { class: 'alert-section', 'data-section': 'incidents' });
  readonly #detail = h('section', { class: 'alert-section', 'data-section': 'incident' });
  readonly #recovery = new RecoveryCharts();
  /** Where a refused acknowledgement, resolution or note says so. */
  readonly #status = h('p', { class: 'form-status', role: 'status' });
  #selected: string | undefined;

  constructor(api: ApiClient, selected?: string) {
    this.#api = api;
    this.#selected = selected;
    this.element = h(
      'div',
      { class: 'page', 'data-page': 'incidents' },
      h('header', { class: 'page-header' }, h('h2', {}, 'Incidents')),
      this.#list,
      this.#detail,
      this.#recovery.element,
    );
  }

  async load(): Promise<void> {
    let incidents: readonly Incident[];
    try {
      incidents = (await this.#api.get<{ incidents: Incident[] }>('/api/incidents', { limit: 1000 }))
        .incidents;
    } catch (error) {
      replace(
        this.#list,
        h('p', { class: 'panel-message error' }, `/api/incidents: ${(error as Error).message}`),
      );
      return;
    }
    this.#recovery.update(incidents);
    const active = incidents.filter((i) => i.status !== 'resolved');
    const rows = [...active, ...incidents.filter((i) => i.status === 'resolved')].slice(0, ROWS);
    replace(
      this.#list,
      h('h3', {}, `${active.length} open or acknowledged, ${incidents.length - active.length} resolved`),
      rows.length === 0
        ? h('p', { class: 'empty' }, 'No incidents.')
        : h(
            'div',
            { class: 'table-scroll' },
            h(
              'table',
              { class: 'alert-table' },
              h(
                'tr',
                {},
                ...['Status', 'Incident', 'Severity', 'Opened', 'Acknowledged', 'Resolved', ''].map((t) =>
                  h('th', {}, t),
                ),
              ),
              ...rows.map((i) => this.#row(i)),
            ),
          ),
    );
    if (this.#selected) await this.#show(this.#selected);
  }

  #row(i: Incident): HTMLElement {
    const open = h('a', { href: `#/incidents/${encodeURIComponent(i.id)}`, 'data-incident': i.id }, i.title);
    open.addEventListener('click', (event) => {
      event.preventDefault();
      this.#selected = i.id;
      void this.#show(i.id);
    });
    const ack =
      i.status === 'open'
        ? h('button', { type: 'button', class: 'button', 'data-ack': i.id }, 'Acknowledge')
        : null;
    ack?.addEventListener('click', () => void this.#act(i.id, 'ack'));
    return h(
      'tr',
      { 'data-status': i.status },
      h('td', {}, h('span', { class: `state state-${i.status}` }, i.status)),
      h('td', {}, open, h('small', {}, ` ${i.id}`)),
      h('td', {}, i.severity),
      h('td', {}, time(i.openedAt)),
      h('td', {}, i.acknowledgedBy ? `${time(i.acknowledgedAt)} by ${i.acknowledgedBy}` : '–'),
      h('td', {}, time(i.resolvedAt)),
      h('td', {}, ack),
    );
  }

  /** Acknowledges, resolves or adds a note; an error (a refused token, a gone incident) is said where the click was. */
  async #act(id: string, action: 'ack' | 'resolve' | 'notes', text?: string): Promise<boolean> {
    const by = authorName.get() || 'dashboard';
    try {
      await this.#api.post(`/api/incidents/${encodeURIComponent(id)}/${action}`, {
        by,
        ...(text !== undefined && { text }),
      });
    } catch (error) {
      replace(
        this.#status,
        `${action === 'notes' ? 'The note' : 'The change'} was not saved: ${(error as Error).message}`,
      );
      this.#status.className = 'form-status error';
      return false;
    }
    replace(this.#status);
    await this.load();
    return true;
  }

  #actions(i: Incident): HTMLElement {
    const button = (label: string, action: 'ack' | 'resolve') => {
      const b = h('button', { type: 'button', 'data-action': action }, label);
      b.addEventListener('click', () => void this.#act(i.id, action));
      return b;
    };
    const by = h('input', { name: 'by', placeholder: 'your name', value: authorName.get() });
    by.addEventListener('change', () => authorName.set(by.value));
    const text = h('textarea', { name: 'note', rows: 2, placeholder: 'what you saw or did' });
    const note = h(
      'form',
      { class: 'incident-note' },
      h('label', {}, 'Note', text),
      h('label', {}, 'By', by),
      h('button', { type: 'submit' }, 'Add note'),
    );
    note.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (text.value.trim() === '') return;
      authorName.set(by.value);
      if (await this.#act(i.id, 'notes', text.value.trim())) text.value = '';
    });
    return h(
      'div',
      { class: 'incident-actions' },
      h(
        'div',
        { class: 'incident-buttons' },
        i.status === 'open' && button('Acknowledge', 'ack'),
        i.status !== 'resolved' && button('Resolve', 'resolve'),
      ),
      note,
      this.#status,
    );
  }

  async #show(id: string): Promise<void> {
    let i: Incident;
    try {
      i = await this.#api.get<Incident>(`/api/incidents/${encodeURIComponent(id)}`);
    } catch (error) {
      replace(this.#detail, h('p', { class: 'panel-message error' }, (error as Error).message));
      return;
    }
    const runbooks = i.alerts.flatMap((a) => (a.annotations.runbook_url ? [a.annotations.runbook_url] : []));
    const playbooks = i.alerts.flatMap((a) => (a.annotations.playbook ? [a.annotations.playbook] : []));
    replace(
      this.#detail,
      h('h3', {}, `${i.title} (${i.id}) · `, h('span', { class: `state state-${i.status}` }, i.status)),
      this.#actions(i),
      h(
        'ul',
        {},
        ...i.alerts.map((a) =>
          h(
            'li',
            {},
            `${a.status}: ${a.annotations.summary ?? a.labels.alertname ?? ''} `,
            h(
              'small',
              {},
              Object.entries(a.labels)
                .map(([k, v]) => `${k}=${v}`)
                .join(', '),
            ),
          ),
        ),
      ),
      ...runbooks.map((u) =>
        h('p', {}, 'Runbook: ', h('a', { href: u, rel: 'noreferrer', target: '_blank' }, u)),
      ),
      ...playbooks.map((p) => h('pre', { class: 'playbook' }, p)),
      h(
        'table',
        { class: 'alert-table', 'data-section': 'timeline' },
        h('tr', {}, h('th', {}, 'Time'), h('th', {}, 'Event'), h('th', {}, 'By')),
        ...(i.timeline ?? []).map((e) =>
          h(
            'tr',
            { 'data-kind': e.kind },
            h('td', {}, time(e.at)),
            h('td', {}, e.text),
            h('td', {}, e.by ?? ''),
          ),
        ),
      ),
      h(
        'p',
        {},
        h(
          'a',
          {
            href: `/api/incidents/${encodeURIComponent(i.id)}/postmortem`,
            download: `postmortem-${i.id}.md`,
          },
          'Post-mortem (Markdown)',
        ),
      ),
    );
  }

  destroy(): void {
    this.#recovery.destroy();
  }
}
