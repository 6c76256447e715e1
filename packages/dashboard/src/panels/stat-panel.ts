import type { PanelDefinition } from '../dashboard-definition.js';
import { h, replace } from '../dom.js';
import { formatValue } from '../format-value.js';
import { COLORS, thresholdColor } from '../thresholds.js';
import type { PanelContext } from './panel.js';
import { SingleValuePanel } from './single-value-panel.js';

/** One big number, coloured by the panel's thresholds. */
export class StatPanel extends SingleValuePanel {
  readonly #value = h('div', { class: 'stat-value' });

  constructor(def: PanelDefinition, ctx: PanelContext) {
    super('stat', def, ctx);
    this.frame.body.appendChild(this.#value);
  }

  protected render(value: number | null): void {
    const color = thresholdColor(value, this.def.thresholds);
    this.#value.style.color = COLORS[color];
    this.#value.dataset.color = color;
    replace(this.#value, formatValue(value, this.def.unit, this.def.decimals));
    // Rounded for reading; the exact figure on hover (an increase() count is rarely whole).
    this.#value.title = value === null ? '' : String(value);
  }
}
