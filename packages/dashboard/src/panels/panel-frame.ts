import { h, replace } from '../dom.js';

export type PanelState = 'loading' | 'ok' | 'empty' | 'error';

/**
 * The card every panel sits in: a title, a body, and a message line for "no data" and errors.
 * `data-state` tells tests and styles which of those the panel is showing.
 */
export class PanelFrame {
  readonly element: HTMLElement;
  readonly body: HTMLElement;
  readonly #message: HTMLElement;

  constructor(type: string, title: string, width: number, description?: string) {
    this.body = h('div', { class: 'panel-body' });
    this.#message = h('div', { class: 'panel-message' });
    this.element = h(
      'section',
      {
        class: `panel panel-${type}`,
        style: `--span: ${width}`,
        'data-panel-type': type,
        'data-state': 'loading',
      },
      h('h3', { class: 'panel-title', title: description }, title),
      this.body,
      this.#message,
    );
  }

  set state(state: PanelState) {
    this.element.dataset.state = state;
  }

  /** Shows a message under the body ("No data", an error from the API); empty text hides it. */
  message(text: string, kind: 'info' | 'error' = 'info'): void {
    this.#message.className = `panel-message ${kind}`;
    replace(this.#message, text);
  }

  fail(error: unknown): void {
    this.state = 'error';
    this.message(error instanceof Error ? error.message : String(error), 'error');
  }
}
