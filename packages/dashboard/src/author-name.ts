const KEY = 'vigil.silence.author';

/**
 * The name this browser signs its actions with (silences, acknowledgements, notes), remembered
 * between visits: the dashboard has no accounts, and "by dashboard" would tell a timeline's reader
 * nothing.
 */
export const authorName = {
  get(): string {
    return localStorage.getItem(KEY) ?? '';
  },
  set(name: string): void {
    localStorage.setItem(KEY, name.trim());
  },
};
