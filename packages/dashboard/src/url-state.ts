import { DEFAULT_RANGE, type TimeRange } from './time-range.js';

/** What the URL's hash holds, so a reload or a shared link shows the same view: `#/overview?from=now-6h&to=now&refresh=10s`. */
export interface UrlState {
  readonly page: string;
  readonly range: TimeRange;
  readonly refresh: string;
  /** Explore's query; on the Incidents page, the incident a link opens (`#/incidents/<id>`). */
  readonly query: string;
}

export const REFRESH_INTERVALS: readonly { readonly label: string; readonly ms: number }[] = [
  { label: 'off', ms: 0 },
  { label: '5s', ms: 5000 },
  { label: '10s', ms: 10_000 },
  { label: '30s', ms: 30_000 },
  { label: '1m', ms: 60_000 },
];

/** Whether a page name is a dashboard file's id rather than one of the app's own pages (or none). */
export function isDashboardPage(page: string): boolean {
  return page !== '' && !['alerts', 'incidents', 'slos', 'reports', 'explore'].includes(page);
}

export function readUrlState(hash: string, defaultPage: string): UrlState {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(search);
  const incident = /^\/incidents\/(.+)$/.exec(path)?.[1];
  const page = incident ? 'incidents' : decodeURIComponent(path.replace(/^\//, '')) || defaultPage;
  const refresh = params.get('refresh') ?? 'off';
  return {
    page,
    range: { from: params.get('from') ?? DEFAULT_RANGE.from, to: params.get('to') ?? DEFAULT_RANGE.to },
    refresh: REFRESH_INTERVALS.some((r) => r.label === refresh) ? refresh : 'off',
    query: incident ? decodeURIComponent(incident) : (params.get('q') ?? ''),
  };
}

export function writeUrlState(state: UrlState): string {
  const params = new URLSearchParams({ from: state.range.from, to: state.range.to });
  if (state.refresh !== 'off') params.set('refresh', state.refresh);
  if (state.page === 'incidents' && state.query !== '')
    return `#/incidents/${encodeURIComponent(state.query)}?${params}`;
  if (state.query !== '') params.set('q', state.query);
  return `#/${encodeURIComponent(state.page)}?${params}`;
}
