import { h } from '../dom.js';

/** Where Explore's query is typed: the PromQL editor once its chunk has loaded, a textarea before. */
export interface QueryEditor {
  readonly element: HTMLElement;
  value: string;
  /** Puts text at the cursor (over the selection) and focuses the editor. */
  insert(text: string): void;
  focus(): void;
  destroy(): void;
}

export interface QueryEditorOptions {
  readonly value: string;
  readonly placeholder: string;
  readonly label: string;
  /** Enter or Ctrl+Enter. */
  readonly onRun: () => void;
}

/**
 * A plain textarea: what Explore shows while the editor's chunk loads, and keeps if it cannot be
 * loaded, so a query can always be typed and run.
 */
export function textareaEditor(options: QueryEditorOptions): QueryEditor {
  const area = h('textarea', {
    class: 'explore-query',
    rows: 3,
    spellcheck: 'false',
    placeholder: options.placeholder,
    'aria-label': options.label,
  });
  area.value = options.value;
  area.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      options.onRun();
    }
  });
  return {
    element: area,
    get value() {
      return area.value;
    },
    set value(text: string) {
      area.value = text;
    },
    insert(text: string) {
      area.setRangeText(text, area.selectionStart, area.selectionEnd, 'end');
      area.focus();
    },
    focus() {
      area.focus();
    },
    destroy() {},
  };
}
