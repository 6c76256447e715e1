const KEY = 'vigil.queryHistory';
/** Queries kept: enough to find yesterday's, few enough to scan. */
const LIMIT = 20;

/** The Explore queries that ran without an error, newest first, kept in localStorage. */
export const queryHistory = {
  list(): string[] {
    try {
      const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]');
      return Array.isArray(parsed) ? parsed.filter((q): q is string => typeof q === 'string') : [];
    } catch {
      return [];
    }
  },
  add(query: string): string[] {
    const list = [query, ...this.list().filter((q) => q !== query)].slice(0, LIMIT);
    try {
      localStorage.setItem(KEY, JSON.stringify(list));
    } catch {
      // Storage refused (a private window): the history lasts until the page is closed.
    }
    return list;
  },
};
