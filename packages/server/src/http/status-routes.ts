import type { ServerResponse } from 'node:http';
import type { StatusComponentConfig } from '../config/status-pages-config.js';
import { kumaHeartbeats, kumaStatusPage } from '../status/kuma-feed.js';
import { statusPageHtml } from '../status/render-status-page.js';
import { BADGE_COLORS, badgeSvg, safeColor, uptimeColor } from '../status/status-badge.js';
import type { StatusPages } from '../status/status-pages.js';
import { HttpError } from './http-error.js';
import { sendJson, sendText } from './respond.js';
import type { Router } from './router.js';

/** Longest badge window: the hourly rollups are kept a year. */
const MAX_HOURS = 8760;

/**
 * `GET /status/<slug>` (the page), `/api/status-page/<slug>` and `/api/status-page/heartbeat/<slug>`
 * (Uptime Kuma's JSON), and Uptime Kuma's badges: `/api/badge/<id>/status`,
 * `/api/badge/<id>/uptime[/<hours>]`, `/api/badge/<id>/ping[/<hours>]`,
 * `/api/badge/<id>/avg-response[/<hours>]`, with Kuma's label and colour parameters. Public and
 * read-only: the only routes of the status listener, and on the main listener in the allow-list of
 * routes without credentials (open-routes.ts).
 */
export function statusRoutes(router: Router, pages: StatusPages): void {
  const view = async (slug: string) => {
    const v = await pages.view(slug);
    if (!v) throw new HttpError('VIGIL_NOT_FOUND', `no status page "${slug}"`);
    return v;
  };
  router.on('GET', '/status/:slug', async ({ res, params }) => {
    const page = statusPageHtml(await view(params.slug!));
    res.setHeader('cache-control', 'public, max-age=30');
    // The page is one document with inline CSS: nothing else may load or run in it.
    res.setHeader('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
    sendText(res, 200, 'text/html; charset=utf-8', page);
  });
  router.on('GET', '/api/status-page/:slug', async ({ res, params }) => {
    sendJson(res, 200, kumaStatusPage(await view(params.slug!)));
  });
  router.on('GET', '/api/status-page/heartbeat/:slug', async ({ res, params }) => {
    sendJson(res, 200, kumaHeartbeats(await view(params.slug!)));
  });

  const component = async (id: string) => {
    const found = await pages.component(id);
    if (!found) throw new HttpError('VIGIL_NOT_FOUND', `no component "${id}" on a status page`);
    return found;
  };
  router.on('GET', '/api/badge/:id/status', async ({ res, url, params }) => {
    const { view: c } = await component(params.id!);
    const q = url.searchParams;
    const up = c.state === 'up';
    const down = c.state === 'down';
    const message = up
      ? (q.get('upLabel') ?? 'Up')
      : down
        ? (q.get('downLabel') ?? 'Down')
        : c.state === 'degraded'
          ? 'Degraded'
          : 'N/A';
    const color = up
      ? (safeColor(q.get('upColor')) ?? BADGE_COLORS.up)
      : down
        ? (safeColor(q.get('downColor')) ?? BADGE_COLORS.down)
        : BADGE_COLORS[c.state];
    sendBadge(res, badgeSvg(labelOf(q, 'Status'), message, color, safeColor(q.get('labelColor'))));
  });
  for (const kind of ['uptime', 'ping', 'avg-response'] as const) {
    const handler = async ({
      res,
      url,
      params,
    }: {
      res: ServerResponse;
      url: URL;
      params: Readonly<Record<string, string>>;
    }) => {
      const { config } = await component(params.id!);
      const hours = hoursOf(params.hours);
      const q = url.searchParams;
      const value = await figure(pages, config, kind, hours);
      const label = labelOf(
        q,
        kind === 'uptime' ? `Uptime (${hours}h)` : kind === 'ping' ? 'Ping' : `Avg. Response (${hours}h)`,
      );
      const text =
        value === null
          ? 'N/A'
          : `${q.get('prefix') ?? ''}${kind === 'uptime' ? Math.round(value * 10_000) / 100 : Math.round(value)}${q.get('suffix') ?? (kind === 'uptime' ? '%' : 'ms')}`;
      const color =
        safeColor(q.get('color')) ??
        (value === null ? BADGE_COLORS.unknown : kind === 'uptime' ? uptimeColor(value) : BADGE_COLORS.up);
      sendBadge(res, badgeSvg(label, text, color, safeColor(q.get('labelColor'))));
    };
    router.on('GET', `/api/badge/:id/${kind}`, handler);
    router.on('GET', `/api/badge/:id/${kind}/:hours`, handler);
  }
}

function figure(
  pages: StatusPages,
  config: StatusComponentConfig,
  kind: 'uptime' | 'ping' | 'avg-response',
  hours: number,
): Promise<number | null> {
  if (kind === 'uptime') return pages.uptime(config, hours);
  return pages.responseMs(config, kind === 'ping' ? 'ping' : 'avg', hours);
}

/** Uptime Kuma's `labelPrefix`, `label` and `labelSuffix`. */
function labelOf(q: URLSearchParams, fallback: string): string {
  return `${q.get('labelPrefix') ?? ''}${q.get('label') ?? fallback}${q.get('labelSuffix') ?? ''}`.slice(
    0,
    100,
  );
}

function hoursOf(text: string | undefined): number {
  if (text === undefined) return 24;
  const hours = Number(text.replace(/h$/, ''));
  if (!Number.isInteger(hours) || hours < 1 || hours > MAX_HOURS)
    throw new HttpError(
      'VIGIL_BAD_REQUEST',
      `hours: got "${text}", expected a whole number from 1 to ${MAX_HOURS}`,
    );
  return hours;
}

function sendBadge(res: ServerResponse, svg: string): void {
  res.setHeader('cache-control', 'public, max-age=60');
  sendText(res, 200, 'image/svg+xml; charset=utf-8', svg);
}
