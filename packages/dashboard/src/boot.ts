import type { DashboardDefinition, DashboardList } from './dashboard-definition.js';
import { publishEarly } from './early-requests.js';
import { panelRequests } from './panels/panel-requests.js';
import { resolveRange } from './time-range.js';
import { tokenStore } from './token-store.js';
import { isDashboardPage, readUrlState } from './url-state.js';

/**
 * Inlined into index.html by build.mjs, ahead of the stylesheet and the bundle: finds the
 * dashboard list and the definition of the page the URL names (or of the first dashboard), then
 * sends every query of its panels, while the bundle downloads and compiles, and leaves the
 * responses for the app (early-requests.ts). The server writes those first answers into the page
 * when it can (`#vigil-preloaded`: vigil serve without a token), so the queries leave as the HTML
 * is parsed; otherwise they are asked for here. Traced on the overview's cold load, the app's own
 * first query left 220-600 ms after navigation start, behind the bundle and a round trip for the
 * definition. Anything that fails here is left to the app, which asks again and reports it.
 */
const hash = location.hash;
const now = Date.now();
const token = tokenStore.get();
const headers: Record<string, string> = { accept: 'application/json' };
if (token) headers.authorization = `Bearer ${token}`;
const preloaded = readPreloaded();
const responses = new Map<string, Promise<Response>>();

function readPreloaded(): Readonly<Record<string, unknown>> {
  const text = document.getElementById('vigil-preloaded')?.textContent;
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The answer to `path`: the server's preloaded one if it wrote one, else asked for now; either way, left for the app. */
async function answer<T>(path: string): Promise<T | undefined> {
  if (Object.hasOwn(preloaded, path)) {
    const body = preloaded[path];
    const json = JSON.stringify(body);
    responses.set(
      path,
      Promise.resolve(new Response(json, { headers: { 'content-type': 'application/json' } })),
    );
    return body as T;
  }
  const response = send(path);
  const res = await response;
  return res.ok ? ((await res.clone().json()) as T) : undefined;
}

function send(path: string): Promise<Response> {
  const response = fetch(path, { headers });
  // Whoever takes it handles a failure; one nobody takes must not count as unhandled.
  response.catch(() => {});
  responses.set(path, response);
  return response;
}

async function sendAll(): Promise<void> {
  const state = readUrlState(hash, '');
  const list = answer<DashboardList>('/api/dashboards');
  const page = state.page === '' ? (await list)?.dashboards[0]?.id : state.page;
  if (page === undefined || !isDashboardPage(page)) return;
  const def = await answer<DashboardDefinition>(`/api/dashboards/${encodeURIComponent(page)}`);
  const range = resolveRange(state.range, now);
  if (!def || range instanceof Error) return;
  for (const panel of def.panels) for (const path of panelRequests(panel, range)) send(path);
}

publishEarly(hash, now, responses, sendAll());
