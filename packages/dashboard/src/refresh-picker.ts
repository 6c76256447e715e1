import { h } from './dom.js';
import { REFRESH_INTERVALS } from './url-state.js';

/** Auto-refresh: off, 5s, 10s, 30s, 1m; and a button that refreshes now. */
export class RefreshPicker {
  readonly element: HTMLElement;
  readonly #select: HTMLSelectElement;

  constructor(onChange: (interval: string) => void, onRefresh: () => void) {
    this.#select = h(
      'select',
      { name: 'refresh', 'aria-label': 'Auto refresh', title: 'Auto refresh' },
      // Short, as Grafana's: beside the refresh button they read as its interval, and fit a phone's top bar.
      ...REFRESH_INTERVALS.map((r) => h('option', { value: r.label }, r.label === 'off' ? 'Off' : r.label)),
    );
    this.#select.addEventListener('change', () => onChange(this.#select.value));
    const now = h('button', { type: 'button', class: 'refresh-now', title: 'Refresh now' }, '↻');
    now.addEventListener('click', onRefresh);
    this.element = h('div', { class: 'refresh-picker' }, now, this.#select);
  }

  show(interval: string): void {
    this.#select.value = interval;
  }
}
