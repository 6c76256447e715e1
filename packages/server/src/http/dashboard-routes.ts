import { loadDashboards } from '../config/dashboard-files.js';
import { HttpError } from './http-error.js';
import { sendJson } from './respond.js';
import type { Router } from './router.js';

export interface DashboardRouteOptions {
  /** Folders of dashboard files, built-in first; a later folder's file replaces an earlier one's. */
  readonly dirs: readonly string[];
}

/**
 * `GET /api/dashboards` (the list for the navigation, and the files that failed, with why) and
 * `GET /api/dashboards/{id}` (one definition). Files are read on each request, so an edited
 * dashboard shows on the next page load without a restart.
 */
export function dashboardRoutes(router: Router, { dirs }: DashboardRouteOptions): void {
  router.on('GET', '/api/dashboards', ({ res }) => {
    const { dashboards, errors } = loadDashboards(dirs);
    sendJson(res, 200, {
      dashboards: dashboards.map(({ id, title, description, order }) => ({ id, title, description, order })),
      errors: errors.map(({ id, error }) => ({ id, error })),
    });
  });

  router.on('GET', '/api/dashboards/:id', ({ res, params }) => {
    const id = params.id!;
    const { dashboards, errors } = loadDashboards(dirs);
    const found = dashboards.find((d) => d.id === id);
    if (found) return sendJson(res, 200, found);
    const broken = errors.find((e) => e.id === id);
    if (broken) throw new HttpError(422, 'invalid_dashboard', broken.error);
    throw new HttpError(404, 'not_found', `no dashboard "${id}"`);
  });
}
