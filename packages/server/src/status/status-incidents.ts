import { randomBytes } from 'node:crypto';
import type { Clock } from '@vigil/metrics';
import type { DocumentFile } from '../store/document-file.js';

/** Statuspage's words for where a posted incident stands. */
export const INCIDENT_STATES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export interface StatusIncidentUpdate {
  readonly atMs: number;
  readonly state: IncidentState;
  readonly body: string;
}

/**
 * An incident as people post it on a status page: a title and updates in their words. Nothing of
 * vigil's own incidents or alerts reaches a status page except through one of these.
 */
export interface StatusIncident {
  readonly id: string;
  readonly page: string;
  readonly title: string;
  readonly createdMs: number;
  readonly updatedMs: number;
  /** The state of the newest update. */
  readonly state: IncidentState;
  /** Oldest first. */
  readonly updates: readonly StatusIncidentUpdate[];
}

/**
 * The status pages' incidents, each one document of the file (`status-pages.db`), written durably
 * on each change. Ids are random, so a public page does not tell how many were posted.
 */
export class StatusIncidents {
  readonly #documents: DocumentFile;
  readonly #clock: Clock;

  constructor(documents: DocumentFile, clock: Clock) {
    this.#documents = documents;
    this.#clock = clock;
  }

  create(page: string, title: string, state: IncidentState, body: string): StatusIncident {
    const now = this.#clock.now();
    const incident: StatusIncident = {
      id: randomBytes(6).toString('hex'),
      page,
      title,
      createdMs: now,
      updatedMs: now,
      state,
      updates: [{ atMs: now, state, body }],
    };
    this.#put(incident);
    return incident;
  }

  /** Adds an update (and a new title, if given); undefined when the page has no such incident. */
  update(
    page: string,
    id: string,
    change: { state: IncidentState; body: string; title?: string | undefined },
  ): StatusIncident | undefined {
    const before = this.get(page, id);
    if (!before) return undefined;
    const now = this.#clock.now();
    const incident: StatusIncident = {
      ...before,
      title: change.title ?? before.title,
      updatedMs: now,
      state: change.state,
      updates: [...before.updates, { atMs: now, state: change.state, body: change.body }],
    };
    this.#put(incident);
    return incident;
  }

  get(page: string, id: string): StatusIncident | undefined {
    const doc = this.#documents.get(`${page}/${id}`);
    return doc && (JSON.parse(doc.json) as StatusIncident);
  }

  /** The page's incidents changed at or after `sinceMs`, newest change first. */
  list(page: string, sinceMs = 0): StatusIncident[] {
    return this.#documents
      .list(sinceMs)
      .filter((d) => d.id.startsWith(`${page}/`))
      .map((d) => JSON.parse(d.json) as StatusIncident);
  }

  #put(incident: StatusIncident): void {
    this.#documents.put(`${incident.page}/${incident.id}`, incident.updatedMs, JSON.stringify(incident));
  }
}
