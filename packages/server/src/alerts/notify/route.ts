import { matchesAll } from '../../matchers/label-matcher.js';
import { matchersString } from '../../matchers/matcher-syntax.js';
import type { SeriesLabels } from '../../store/series-store.js';
import type { RouteConfig } from './notify-config.js';

/** A node of the routing tree, with Alertmanager's key (`{}/{severity="page"}`) that prefixes its group keys. */
export interface Route {
  readonly config: RouteConfig;
  readonly key: string;
  readonly children: readonly Route[];
}

export function buildRoute(config: RouteConfig, parent?: Route): Route {
  const key = (parent ? `${parent.key}/` : '') + matchersString(config.matchers);
  const route: { config: RouteConfig; key: string; children: Route[] } = { config, key, children: [] };
  for (const child of config.routes) route.children.push(buildRoute(child, route));
  return route;
}

/**
 * The routes an alert is sent to, as Alertmanager's `Route.Match`: depth first, the first child that
 * matches ends the search unless it has `continue: true`; a node none of whose children match takes
 * the alert itself.
 */
export function matchRoutes(route: Route, labels: SeriesLabels): Route[] {
  if (!matchesAll(route.config.matchers, labels)) return [];
  const out: Route[] = [];
  for (const child of route.children) {
    const matched = matchRoutes(child, labels);
    out.push(...matched);
    if (matched.length > 0 && !child.config.continue) break;
  }
  return out.length > 0 ? out : [route];
}
