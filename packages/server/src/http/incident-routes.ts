import type { ServerResponse } from 'node:http';
import type { Clock } from '@vigil/metrics';
import { escapeHtml } from '../alerts/notify/email-message.js';
import type { AckLinks } from '../incidents/ack-links.js';
import type { Incident } from '../incidents/incident.js';
import type { IncidentManager } from '../incidents/incident-manager.js';
import { readBody } from './body.js';
import { HttpError } from './http-error.js';
import { sendJson, sendText } from './respond.js';
import type { Router } from './router.js';

export interface IncidentRoutesOptions {
  readonly incidents: IncidentManager;
  readonly links: AckLinks;
  readonly clock: Clock;
  readonly bodyLimit: number;
}

const STATUSES = ['open', 'acknowledged', 'resolved', 'active'] as const;

/**
 * `GET /api/incidents[?status=]`, `GET /api/incidents/{id}` (with its timeline),
 * `GET /api/incidents/{id}/postmortem` (Markdown), `POST /api/incidents/{id}/ack|resolve|notes`, and
 * the signed acknowledge link `GET|POST /ack/{id}`, which answers without the token: its signature is
 * its authority. GET only shows a confirmation page, because mail and chat link scanners fetch links
 * before people do; the page's button POSTs.
 */
export function incidentRoutes(router: Router, options: IncidentRoutesOptions): void {
  const { incidents, links, clock } = options;
  router.on('GET', '/api/incidents', ({ res, url }) => {
    const status = url.searchParams.get('status');
    if (status !== null && !(STATUSES as readonly string[]).includes(status))
      throw new HttpError(
        'VIGIL_BAD_REQUEST',
        `status: got "${status}", expected one of ${STATUSES.join(', ')}`,
      );
    const limit = Number(url.searchParams.get('limit') ?? 100);
    if (!Number.isInteger(limit) || limit < 1)
      throw new HttpError('VIGIL_BAD_REQUEST', 'limit: expected a whole number of 1 or more');
    const list = incidents.list({
      ...(status !== null && { status: status as (typeof STATUSES)[number] }),
      limit,
    });
    sendJson(res, 200, { incidents: list.map((i) => incidentJson(i, false)) });
  });
  router.on('GET', '/api/incidents/:id', ({ res, params }) => {
    sendJson(res, 200, incidentJson(found(incidents.get(params.id!), params.id!), true));
  });
  router.on('GET', '/api/incidents/:id/postmortem', async ({ res, params }) => {
    const id = params.id!;
    const markdown = await incidents.postMortem(id);
    if (markdown === undefined) throw new HttpError('VIGIL_NOT_FOUND', `no incident "${id}"`);
    res.setHeader('content-disposition', `attachment; filename="postmortem-${id}.md"`);
    sendText(res, 200, 'text/markdown; charset=utf-8', markdown);
  });
  const byOf = async (req: Parameters<Parameters<Router['on']>[2]>[0]['req'], fallback: string) => {
    const body = await readBody(req, options.bodyLimit);
    if (body.length === 0) return { by: fallback, text: undefined };
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpError('VIGIL_BAD_REQUEST', 'the body is not valid JSON');
    }
    const o = (parsed ?? {}) as { by?: unknown; text?: unknown };
    if (o.by !== undefined && (typeof o.by !== 'string' || o.by === '' || o.by.length > 200))
      throw new HttpError('VIGIL_BAD_REQUEST', 'by: expected a name of 1 to 200 characters');
    if (o.text !== undefined && (typeof o.text !== 'string' || o.text.length > 10_000))
      throw new HttpError('VIGIL_BAD_REQUEST', 'text: expected text of at most 10000 characters');
    return { by: (o.by as string | undefined) ?? fallback, text: o.text as string | undefined };
  };
  router.on('POST', '/api/incidents/:id/ack', async ({ req, res, params }) => {
    const { by } = await byOf(req, 'api');
    sendJson(res, 200, incidentJson(found(incidents.acknowledge(params.id!, by), params.id!), true));
  });
  router.on('POST', '/api/incidents/:id/resolve', async ({ req, res, params }) => {
    const { by } = await byOf(req, 'api');
    sendJson(res, 200, incidentJson(found(incidents.resolve(params.id!, by), params.id!), true));
  });
  router.on('POST', '/api/incidents/:id/notes', async ({ req, res, params }) => {
    const { by, text } = await byOf(req, 'api');
    if (!text?.trim()) throw new HttpError('VIGIL_BAD_REQUEST', 'text: expected the note, not empty');
    sendJson(res, 200, incidentJson(found(incidents.note(params.id!, text, by), params.id!), true));
  });

  const linkCheck = (id: string, url: URL, res: ServerResponse): Incident | undefined => {
    const why = links.refuse(
      id,
      url.searchParams.get('expires'),
      url.searchParams.get('signature'),
      clock.now(),
    );
    const incident = why === undefined ? incidents.get(id) : undefined;
    if (why !== undefined || !incident) {
      page(
        res,
        403,
        'Link refused',
        `<p>${escapeHtml(why ?? 'no such incident')}. Open vigil to acknowledge.</p>`,
      );
      return undefined;
    }
    return incident;
  };
  router.on('GET', '/ack/:id', ({ res, url, params }) => {
    const incident = linkCheck(params.id!, url, res);
    if (!incident) return;
    const state =
      incident.status === 'open'
        ? `<form method="post"><button type="submit" style="font-size:1.2em;padding:.6em 1.4em">Acknowledge</button></form>`
        : `<p>Already ${incident.status}${incident.acknowledgedBy ? ` (acknowledged by ${escapeHtml(incident.acknowledgedBy)})` : ''}.</p>`;
    page(
      res,
      200,
      `Acknowledge incident ${incident.id}?`,
      `<p><b>${escapeHtml(incident.title)}</b> · ${escapeHtml(incident.severity)} · opened ${new Date(incident.openedAt).toISOString()}</p>${state}`,
    );
  });
  router.on('POST', '/ack/:id', ({ res, url, params }) => {
    if (!linkCheck(params.id!, url, res)) return;
    const incident = incidents.acknowledge(params.id!, 'link')!;
    page(
      res,
      200,
      `Incident ${incident.id} acknowledged`,
      `<p>Escalation stopped. Status: ${incident.status}.</p>`,
    );
  });
}

function found(incident: Incident | undefined, id: string): Incident {
  if (!incident) throw new HttpError('VIGIL_NOT_FOUND', `no incident "${id}"`);
  return incident;
}

function page(res: ServerResponse, status: number, title: string, body: string): void {
  sendText(
    res,
    status,
    'text/html; charset=utf-8',
    `<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title></head>` +
      `<body style="font-family:system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em"><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  );
}

/** Times as RFC 3339; the timeline only in the single-incident view. */
function incidentJson(i: Incident, withTimeline: boolean) {
  const time = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  return {
    id: i.id,
    title: i.title,
    severity: i.severity,
    status: i.status,
    groupKey: i.groupKey,
    groupLabels: i.groupLabels,
    receiver: i.receiver,
    openedAt: time(i.openedAt),
    acknowledgedAt: time(i.acknowledgedAt),
    acknowledgedBy: i.acknowledgedBy ?? null,
    resolvedAt: time(i.resolvedAt),
    resolvedBy: i.resolvedBy ?? null,
    escalation: i.escalation ?? null,
    alerts: i.alerts.map((a) => ({
      fingerprint: a.fingerprint,
      labels: a.labels,
      annotations: a.annotations,
      status: a.status,
      startsAt: time(a.startsAt),
      endsAt: a.status === 'resolved' ? time(a.endsAt) : null,
    })),
    ...(withTimeline && {
      timeline: i.timeline.map((e) => ({ at: time(e.at), kind: e.kind, text: e.text, by: e.by ?? null })),
    }),
  };
}
