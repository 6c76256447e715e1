import type { IncomingMessage } from 'node:http';
import { INCIDENT_STATES, type IncidentState, type StatusIncidents } from '../status/status-incidents.js';
import type { StatusPages } from '../status/status-pages.js';
import { readBody } from './body.js';
import { HttpError } from './http-error.js';
import { sendJson } from './respond.js';
import type { Router } from './router.js';

export interface StatusIncidentRoutesOptions {
  readonly pages: StatusPages;
  readonly incidents: StatusIncidents;
  readonly bodyLimit: number;
}

const MAX_TITLE = 200;
const MAX_BODY = 10_000;

/**
 * Posting on status pages, behind the token (main listener only): `GET /api/status-pages`,
 * `GET|POST /api/status-pages/<slug>/incidents` (`{title, body, state?}`), and
 * `POST /api/status-pages/<slug>/incidents/<id>/updates` (`{body, state, title?}`).
 */
export function statusIncidentRoutes(router: Router, options: StatusIncidentRoutesOptions): void {
  const { pages, incidents } = options;
  const page = (slug: string) => {
    if (!pages.has(slug)) throw new HttpError('VIGIL_NOT_FOUND', `no status page "${slug}"`);
    return slug;
  };
  router.on('GET', '/api/status-pages', ({ res }) => {
    sendJson(res, 200, {
      pages: pages.slugs.map((slug) => ({ slug, url: `/status/${slug}`, incidents: incidents.list(slug) })),
    });
  });
  router.on('GET', '/api/status-pages/:slug/incidents', ({ res, params }) => {
    sendJson(res, 200, { incidents: incidents.list(page(params.slug!)) });
  });
  router.on('POST', '/api/status-pages/:slug/incidents', async ({ req, res, params }) => {
    const slug = page(params.slug!);
    const body = await fields(req, options.bodyLimit);
    const title = text(body, 'title', MAX_TITLE, true)!;
    const incident = incidents.create(
      slug,
      title,
      state(body, 'investigating'),
      text(body, 'body', MAX_BODY, true)!,
    );
    pages.invalidate(slug);
    sendJson(res, 201, incident);
  });
  router.on('POST', '/api/status-pages/:slug/incidents/:id/updates', async ({ req, res, params }) => {
    const slug = page(params.slug!);
    const body = await fields(req, options.bodyLimit);
    const incident = incidents.update(slug, params.id!, {
      state: state(body, undefined),
      body: text(body, 'body', MAX_BODY, true)!,
      title: text(body, 'title', MAX_TITLE, false),
    });
    if (!incident)
      throw new HttpError('VIGIL_NOT_FOUND', `no incident "${params.id}" on status page "${slug}"`);
    pages.invalidate(slug);
    sendJson(res, 200, incident);
  });
}

async function fields(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const raw = await readBody(req, limit);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError('VIGIL_BAD_REQUEST', 'the body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new HttpError('VIGIL_BAD_REQUEST', 'the body: expected a JSON object');
  return parsed as Record<string, unknown>;
}

function text(
  body: Record<string, unknown>,
  key: string,
  max: number,
  required: boolean,
): string | undefined {
  const value = body[key];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > max)
    throw new HttpError('VIGIL_BAD_REQUEST', `${key}: expected text of 1 to ${max} characters`);
  return value.trim();
}

function state(body: Record<string, unknown>, fallback: IncidentState | undefined): IncidentState {
  const value = body.state ?? fallback;
  if (!(INCIDENT_STATES as readonly unknown[]).includes(value))
    throw new HttpError(
      'VIGIL_BAD_REQUEST',
      `state: got ${JSON.stringify(value) ?? 'nothing'}, expected one of ${INCIDENT_STATES.join(', ')}`,
    );
  return value as IncidentState;
}
