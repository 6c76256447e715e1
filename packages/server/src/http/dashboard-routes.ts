import { type DashboardSet, loadDashboards } from '../config/dashboard-files.js';
import { HttpError } from './http-error.js';
import { sendJson } from './respond.js';
import type { Router } from './router.js';

export interface DashboardRouteOptions {
  /** Folders of dashboard files, built-in first; a later folder's file replaces an earlier one's. */
  readonly dirs: readonly string[];
}

/**
 * How much of the dashboards index.html carries at most: the list, and the definitions that fit (the
 * four built-in ones take about 10 KB), so a folder of many dashboards does not weigh on every load.
 */
const PRELOAD_BUDGET = 64 * 1024;

/**
 * `GET /api/dashboards` (the list for the navigation, and the files that failed, with why) and
 * `GET /api/dashboards/{id}` (one definition). Files are read on each request, so an edited
 * dashboard shows on the next page load without a restart.
 */
export function dashboardRoutes(router: Router, { dirs }: DashboardRouteOptions): void {
  router.on('GET', '/api/dashboards', ({ res }) => {
    sendJson(res, 200, listBody(loadDashboards(dirs)));
  });

  router.on('GET', '/api/dashboards/:id', ({ res, params }) => {
    const id = params.id!;
    const { dashboards, errors } = loadDashboards(dirs);
    const found = dashboards.find((d) => d.id === id);
    if (found) return sendJson(res, 200, found);
    const broken = errors.find((e) => e.id === id);
    if (broken) throw new HttpError('VIGIL_INVALID_DASHBOARD', broken.error);
    throw new HttpError('VIGIL_NOT_FOUND', `no dashboard "${id}"`);
  });
}

/**
 * The answers of `GET /api/dashboards` and of `GET /api/dashboards/{id}` by path, as those routes
 * give them: the list, then definitions in list order while the whole stays within `budget` bytes
 * of JSON. The page asks for these before anything else; index.html carries them (static-files.ts)
 * so that it need not wait for the answer before asking for its panels' queries.
 */
export function dashboardAnswers(dirs: readonly string[], budget = PRELOAD_BUDGET): Record<string, unknown> {
  const set = loadDashboards(dirs);
  const answers: Record<string, unknown> = { '/api/dashboards': listBody(set) };
  let size = JSON.stringify(answers).length;
  for (const dashboard of set.dashboards) {
    const path = `/api/dashboards/${encodeURIComponent(dashboard.id)}`;
    size += JSON.stringify(dashboard).length + path.length + 4;
    if (size > budget) break;
    answers[path] = dashboard;
  }
  return answers;
}

function listBody({ dashboards, errors }: DashboardSet) {
  return {
    dashboards: dashboards.map(({ id, title, description, order }) => ({ id, title, description, order })),
    errors: errors.map(({ id, error }) => ({ id, error })),
  };
}
