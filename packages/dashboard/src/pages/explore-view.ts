export type ExploreView = 'graph' | 'table';

const KEY = 'vigil.exploreView';

/** Explore's last view, Graph or Table, kept in localStorage as Prometheus's UI keeps its tab. */
export const exploreView = {
  get(): ExploreView {
    try {
      return localStorage.getItem(KEY) === 'table' ? 'table' : 'graph';
    } catch {
      return 'graph';
    }
  },
  set(view: ExploreView): void {
    try {
      localStorage.setItem(KEY, view);
    } catch {
      // Storage refused (a private window): the view lasts while the page is open.
    }
  },
};
