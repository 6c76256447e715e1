import { h } from './dom.js';
import { describeRange, QUICK_RANGES, resolveRange, type TimeRange } from './time-range.js';

/**
 * The range button and its drop-down: quick ranges, and from/to fields that take relative
 * (`now-6h`) or absolute (`2026-12-01 10:00`) times. Calls `onChange` with a checked range.
 */
export class TimePicker {
  readonly element: HTMLElement;
  readonly #button: HTMLButtonElement;
  readonly #from: HTMLInputElement;
  readonly #to: HTMLInputElement;
  readonly #error = h('p', { class: 'form-status error', role: 'alert' });
  readonly #menu: HTMLElement;

  constructor(onChange: (range: TimeRange) => void) {
    this.#button = h('button', { type: 'button', class: 'time-button', 'aria-haspopup': 'true' });
    this.#from = h('input', { name: 'from', 'aria-label': 'From' });
    this.#to = h('input', { name: 'to', 'aria-label': 'To' });
    const form = h(
      'form',
      { class: 'time-form' },
      h('label', {}, 'From', this.#from),
      h('label', {}, 'To', this.#to),
      h('button', { type: 'submit' }, 'Apply time range'),
      this.#error,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const range = { from: this.#from.value.trim(), to: this.#to.value.trim() };
      const checked = resolveRange(range, Date.now());
      if (checked instanceof Error) {
        this.#error.textContent = checked.message;
        return;
      }
      this.#error.textContent = '';
      this.#close();
      onChange(range);
    });
    const quick = h(
      'ul',
      { class: 'quick-ranges' },
      ...QUICK_RANGES.map((q) => {
        const item = h('button', { type: 'button', 'data-from': q.from }, q.label);
        item.addEventListener('click', () => {
          this.#close();
          onChange({ from: q.from, to: 'now' });
        });
        return h('li', {}, item);
      }),
    );
    this.#menu = h('div', { class: 'time-menu', hidden: true }, form, quick);
    this.#button.addEventListener('click', () => {
      if (this.#menu.hidden) this.#open();
      else this.#close();
    });
    this.element = h('div', { class: 'time-picker' }, this.#button, this.#menu);
    // A menu left open over the page after the user went elsewhere reads as part of that page.
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !this.#menu.hidden) {
        this.#close();
        this.#button.focus();
      }
    });
    document.addEventListener('pointerdown', (event) => {
      if (!this.#menu.hidden && !this.element.contains(event.target as Node)) this.#close();
    });
  }

  /** Shows the range the page is on; an open menu closes and forgets what was typed into it. */
  show(range: TimeRange): void {
    this.#button.textContent = describeRange(range);
    this.#from.value = range.from;
    this.#to.value = range.to;
    this.#close();
  }

  #open(): void {
    this.#menu.hidden = false;
    this.#button.setAttribute('aria-expanded', 'true');
    this.#from.focus();
  }

  #close(): void {
    this.#menu.hidden = true;
    this.#button.setAttribute('aria-expanded', 'false');
    this.#error.textContent = '';
  }
}
