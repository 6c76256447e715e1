import type { ComponentSource } from '../config/status-pages-config.js';
import type { LabelMatcher } from '../store/series-store.js';

/**
 * The 0/1 series behind a component whose source is a series (not a query), and the series of its
 * response time in seconds, each as lists of matchers (a health check may be a provider or a
 * dependency: two lists). The same series `status/monitored-checks.ts` reads for /api/health.
 */
export interface ComponentSeries {
  readonly up: readonly (readonly LabelMatcher[])[];
  readonly responseSeconds: readonly (readonly LabelMatcher[])[];
}

export function componentSeries(source: Exclude<ComponentSource, { kind: 'query' }>): ComponentSeries {
  const eq = (name: string, value: string): LabelMatcher => ({ name, type: '=', value });
  const named = (metric: string, ...labels: LabelMatcher[]) => [eq('__name__', metric), ...labels];
  switch (source.kind) {
    case 'health':
      return {
        up: [
          named('vigil_provider_up', eq('provider', source.name)),
          named('vigil_dependency_up', eq('dependency', source.name)),
        ],
        responseSeconds: [
          named('vigil_provider_response_time_seconds', eq('provider', source.name)),
          named('vigil_dependency_response_time_seconds', eq('dependency', source.name)),
        ],
      };
    case 'target': {
      const labels = [
        eq('job', source.job),
        ...(source.instance === undefined ? [] : [eq('instance', source.instance)]),
      ];
      return { up: [named('up', ...labels)], responseSeconds: [named('scrape_duration_seconds', ...labels)] };
    }
    case 'push':
      return {
        up: [named('vigil_push_up', eq('monitor', source.token))],
        responseSeconds: [named('vigil_push_ping_seconds', eq('monitor', source.token))],
      };
  }
}
