import type { ApiClient } from '../api-client.js';
import { h, replace } from '../dom.js';
import { formatTimeText } from '../format-time.js';
import type { Page } from './page.js';

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

const time = (iso: string | null) => (iso === null ? '–' : formatTimeText(iso));

/**
 * Incidents (GET /api/incidents): open and acknowledged first, each with an Acknowledge button
 * (POST /api/incidents/{id}/ack); a row opens the incident's alerts, runbooks, timeline and its
 * post-mortem draft.
 */
export class IncidentsPage implements Page {
  readonly element: HTMLElement;
  readonly #api: ApiClient;
  readonly #list = h('section', { class: 'alert-section', 'data-section': 'incidents' });
  readonly #detail = h('section', { class: 'alert-section', 'data-section': 'incident' });
  #selected: string | undefined;

  constructor(api: ApiClient) {
    this.#api = api;
    this.element = h(
      'div',
      { class: 'page', 'data-page': 'incidents' },
      h('header', { class: 'page-header' }, h('h2', {}, 'Incidents')),
      this.#list,
      this.#detail,
    );
  }

  async load(): Promise<void> {
    let incidents: readonly Incident[];
    try {
      incidents = (await this.#api.get<{ incidents: Incident[] }>('/api/incidents', { limit: 200 }))
        .incidents;
    } catch (error) {
      replace(
        this.#list,
        h('p', { class: 'panel-message error' }, `/api/incidents: ${(error as Error).message}`),
      );
      return;
    }
    const active = incidents.filter((i) => i.status !== 'resolved');
    const rows = [...active, ...incidents.filter((i) => i.status === 'resolved')];
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
    const open = h('a', { href: `#/incidents`, 'data-incident': i.id }, i.title);
    open.addEventListener('click', (event) => {
      event.preventDefault();
      this.#selected = i.id;
      void this.#show(i.id);
    });
    const ack =
      i.status === 'open'
        ? h('button', { type: 'button', class: 'button', 'data-ack': i.id }, 'Acknowledge')
        : null;
    ack?.addEventListener('click', () => void this.#ack(i.id));
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

  async #ack(id: string): Promise<void> {
    await this.#api.post(`/api/incidents/${encodeURIComponent(id)}/ack`, { by: 'dashboard' });
    await this.load();
  }

  async #show(id: string): Promise<void> {
    const i = await this.#api.get<Incident>(`/api/incidents/${encodeURIComponent(id)}`);
    const runbooks = i.alerts.flatMap((a) => (a.annotations.runbook_url ? [a.annotations.runbook_url] : []));
    const playbooks = i.alerts.flatMap((a) => (a.annotations.playbook ? [a.annotations.playbook] : []));
    replace(
      this.#detail,
      h('h3', {}, `${i.title} (${i.id})`),
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

  destroy(): void {}
}
