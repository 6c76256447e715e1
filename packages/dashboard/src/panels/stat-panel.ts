import { basisCaption } from '../basis-caption.js';
import type { PanelDefinition } from '../dashboard-definition.js';
import { h, replace } from '../dom.js';
import { formatValue } from '../format-value.js';
import { COLORS, thresholdColor } from '../thresholds.js';
import type { ResolvedRange } from '../time-range.js';
import type { PanelContext } from './panel.js';
import { SingleValuePanel } from './single-value-panel.js';

/**
 * One big number, coloured by the panel's thresholds; with `basis`, a line under it saying what
 * the figure stands on ("based on the last 2 h 14 min of data", "not enough history").
 */
export class StatPanel extends SingleValuePanel {
  readonly #value = h('div', { class: 'stat-value' });
  readonly #basis = h('div', { class: 'stat-basis' });
  readonly #queries: PanelContext['queries'];

  constructor(def: PanelDefinition, ctx: PanelContext) {
    super('stat', def, ctx);
    this.#queries = ctx.queries;
    this.frame.body.appendChild(this.#value);
    if (def.basis) this.frame.body.appendChild(this.#basis);
  }

  override async load(range: ResolvedRange, live: boolean): Promise<void> {
    const basis = this.def.basis ? this.#loadBasis(range) : undefined;
    await super.load(range, live);
    await basis;
  }

  async #loadBasis(range: ResolvedRange): Promise<void> {
    const def = this.def.basis!;
    try {
      const samples = await this.#queries.instant(def.expr, range);
      const seconds = samples.length === 0 ? null : Number(samples[0]!.value[1]);
      const caption = basisCaption(seconds, def);
      replace(this.#basis, caption.text);
      this.#basis.dataset.enough = String(caption.enough);
    } catch (error) {
      replace(this.#basis, `basis unknown: ${error instanceof Error ? error.message : String(error)}`);
      this.#basis.dataset.enough = 'false';
    }
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
