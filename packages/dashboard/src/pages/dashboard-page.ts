import type { DashboardDefinition } from '../dashboard-definition.js';
import { h } from '../dom.js';
import { createPanel } from '../panels/create-panel.js';
import type { Panel, PanelContext } from '../panels/panel.js';
import type { ResolvedRange } from '../time-range.js';
import type { Page } from './page.js';

/** A dashboard file drawn as a 12-column grid of its panels. */
export class DashboardPage implements Page {
  readonly element: HTMLElement;
  readonly #panels: Panel[];

  constructor(def: DashboardDefinition, ctx: PanelContext) {
    this.#panels = def.panels.map((panel) => createPanel(panel, ctx));
    this.element = h(
      'div',
      { class: 'page', 'data-page': def.id },
      h(
        'header',
        { class: 'page-header' },
        h('h2', {}, def.title),
        def.description && h('p', {}, def.description),
      ),
      h('div', { class: 'grid' }, ...this.#panels.map((p) => p.element)),
    );
  }

  async load(range: ResolvedRange, live: boolean): Promise<void> {
    await Promise.all(this.#panels.map((p) => p.load(range, live)));
  }

  destroy(): void {
    for (const p of this.#panels) p.destroy();
  }
}
