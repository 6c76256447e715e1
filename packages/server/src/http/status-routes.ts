import type { ServerResponse } from 'node:http';
import type { StatusComponentConfig } from '../config/status-pages-config.js';
import { kumaHeartbeats, kumaStatusPage } from '../status/kuma-feed.js';
import { statusPageHtml } from '../status/render-status-page.js';
import { BADGE_COLORS, badgeSvg, safeColor, uptimeColor } from '../status/status-badge.js';
import type { StatusPages } from '../status/status-pages.js';
import { HttpError } from './http-error.js';
import { sendJson, sendText } from './respond.js';
import type { Router } from './router.js';

const HOUR_MS = 3_600_000;
/** Uptime Kuma 2's duration units (UptimeCalculator.getDataByDuration); a bare number is hours. */
const UNIT_MS: Record<string, number> = {
  m: 60_000,
  h: HOUR_MS,
  d: 24 * HOUR_MS,
  w: 7 * 24 * HOUR_MS,
  M: 30 * 24 * HOUR_MS,
  y: 365 * 24 * HOUR_MS,
};
/** Longest badge window: the hourly rollups are kept a year. */
const MAX_MS = 365 * 24 * HOUR_MS;
/** How far back `/response` looks for the newest response time. */
const RESPONSE_MS = 24 * HOUR_MS;

/**
 * `GET /status/<slug>` (the page), `/api/status-page/<slug>` and `/api/status-page/heartbeat/<slug>`
 * (Uptime Kuma's JSON), and Uptime Kuma's badges: `/api/status-page/<slug>/badge` (the page's),
 * `/api/badge/<id>/status`,
 * `/api/badge/<id>/uptime[/<duration>]`, `/api/badge/<id>/ping[/<duration>]` and
 * `/api/badge/<id>/avg-response[/<duration>]` (both the mean response time, as Kuma's),
 * `/api/badge/<id>/response` (the newest), with Kuma's label and colour parameters. Public and
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
  // The whole page's badge, as Uptime Kuma's: no label unless given, Up when every component with
  // data is up, Down when every one is down, Degraded in between.
  router.on('GET', '/api/status-page/:slug/badge', async ({ res, url, params }) => {
    const page = await pages.view(params.slug!);
    if (!page) return sendMissingBadge(res);
    const states = page.groups
      .flatMap((g) => g.components.map((c) => c.state))
      .filter((s) => s !== 'unknown');
    const q = url.searchParams;
    const [message, color] =
      states.length === 0
        ? ['N/A', BADGE_COLORS.unknown]
        : states.every((s) => s === 'up')
          ? ['Up', safeColor(q.get('upColor')) ?? BADGE_COLORS.up]
          : states.every((s) => s === 'down')
            ? ['Down', safeColor(q.get('downColor')) ?? BADGE_COLORS.down]
            : ['Degraded', safeColor(q.get('partialColor')) ?? BADGE_COLORS.degraded];
    sendBadge(res, badgeSvg(q.get('label')?.slice(0, 100) ?? '', message, color));
  });

  router.on('GET', '/api/badge/:id/status', async ({ res, url, params }) => {
    const found = await pages.component(params.id!);
    if (!found) return sendMissingBadge(res);
    const { view: c } = found;
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
  for (const kind of ['uptime', 'ping', 'avg-response', 'response'] as const) {
    const handler = async ({
      res,
      url,
      params,
    }: {
      res: ServerResponse;
      url: URL;
      params: Readonly<Record<string, string>>;
    }) => {
      // A bad duration is a bad request whatever the id: N/A is only for an id no page shows.
      const window = kind === 'response' ? { ms: RESPONSE_MS, text: '' } : durationOf(params.duration);
      const found = await pages.component(params.id!);
      if (!found) return sendMissingBadge(res);
      const { config } = found;
      const q = url.searchParams;
      const value = await figure(pages, config, kind, window.ms);
      const label = labelOf(
        q,
        kind === 'uptime'
          ? `Uptime (${window.text})`
          : kind === 'ping'
            ? `Avg. Ping (${window.text})`
            : kind === 'avg-response'
              ? `Avg. Response (${window.text})`
              : 'Response',
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
    if (kind !== 'response') router.on('GET', `/api/badge/:id/${kind}/:duration`, handler);
  }
}

function figure(
  pages: StatusPages,
  config: StatusComponentConfig,
  kind: 'uptime' | 'ping' | 'avg-response' | 'response',
  ms: number,
): Promise<number | null> {
  if (kind === 'uptime') return pages.uptime(config, ms);
  return pages.responseMs(config, kind === 'response' ? 'newest' : 'mean', ms);
}

/** Uptime Kuma's `labelPrefix`, `label` and `labelSuffix`. */
function labelOf(q: URLSearchParams, fallback: string): string {
  return `${q.get('labelPrefix') ?? ''}${q.get('label') ?? fallback}${q.get('labelSuffix') ?? ''}`.slice(
    0,
    100,
  );
}

/**
 * A badge's window as Uptime Kuma 2 takes it: `24` (hours), or a number with a unit, `30m`, `24h`,
 * `30d`, `1w`, `3M` (30 days each), `1y` (365 days); 24 hours when absent. `text` is as the label shows it.
 */
function durationOf(given: string | undefined): { ms: number; text: string } {
  const text = given === undefined ? '24h' : /^\d+$/.test(given) ? `${given}h` : given;
  const match = /^(\d{1,6})([mhdwMy])$/.exec(text);
  const ms = match ? Number(match[1]) * UNIT_MS[match[2]!]! : Number.NaN;
  if (!(ms >= 60_000 && ms <= MAX_MS))
    throw new HttpError(
      'VIGIL_BAD_REQUEST',
      `duration: got "${given}", expected hours (24) or a number with a unit m, h, d, w, M (30 days) or y (365 days), from 1 minute to 1 year`,
    );
  return { ms, text };
}

/**
 * Uptime Kuma's answer for a monitor or page it does not publish: a grey "N/A" badge with no label,
 * 200, so a README's badge of a removed component shows N/A instead of a broken image.
 */
function sendMissingBadge(res: ServerResponse): void {
  sendBadge(res, badgeSvg('', 'N/A', BADGE_COLORS.unknown));
}

function sendBadge(res: ServerResponse, svg: string): void {
  res.setHeader('cache-control', 'public, max-age=60');
  sendText(res, 200, 'image/svg+xml; charset=utf-8', svg);
}
