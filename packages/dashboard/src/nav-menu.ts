import { h } from './dom.js';

/**
 * The page links. On a wide screen they are a row in the top bar; on a phone (styles.css, below
 * 600 px) they fold behind one button, so the top bar stays one row, and open as a list beneath it.
 * The list closes on a choice, Escape, or a tap elsewhere.
 */
export class NavMenu {
  readonly nav = h('nav', { class: 'nav', id: 'nav' });
  readonly toggle = h(
    'button',
    {
      type: 'button',
      class: 'nav-toggle',
      'aria-label': 'Pages',
      'aria-controls': 'nav',
      'aria-expanded': 'false',
    },
    '☰',
  );

  constructor() {
    this.toggle.addEventListener('click', () => this.#set(!this.#open));
    this.nav.addEventListener('click', (event) => {
      if ((event.target as Element).closest('a')) this.close();
    });
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.#open) {
        this.close();
        this.toggle.focus();
      }
    });
    document.addEventListener('pointerdown', (event) => {
      const target = event.target as Node;
      if (this.#open && !this.nav.contains(target) && !this.toggle.contains(target)) this.close();
    });
  }

  close(): void {
    this.#set(false);
  }

  get #open(): boolean {
    return this.nav.classList.contains('open');
  }

  #set(open: boolean): void {
    this.nav.classList.toggle('open', open);
    this.toggle.setAttribute('aria-expanded', String(open));
  }
}
