import type { PanelDefinition } from '../dashboard-definition.js';
import { h, replace, svg } from '../dom.js';
import { formatValue } from '../format-value.js';
import { COLORS, thresholdColor } from '../thresholds.js';
import type { PanelContext } from './panel.js';
import { SingleValuePanel } from './single-value-panel.js';

const RADIUS = 80;
const CX = 100;
const CY = 100;

/** A 240° arc from the point at `fraction` 0 to 1, in the gauge's SVG coordinates. */
function arc(fraction: number): string {
  const start = (150 * Math.PI) / 180;
  const sweep = (240 * Math.PI) / 180;
  const end = start + sweep * Math.min(1, Math.max(0, fraction));
  const point = (a: number) => `${CX + RADIUS * Math.cos(a)} ${CY + RADIUS * Math.sin(a)}`;
  const large = end - start > Math.PI ? 1 : 0;
  return `M ${point(start)} A ${RADIUS} ${RADIUS} 0 ${large} 1 ${point(end)}`;
}

/** A value on an arc between `min` (default 0) and `max` (default 1, or 100 for percent), coloured by thresholds. */
export class GaugePanel extends SingleValuePanel {
  readonly #fill: SVGElement;
  readonly #text = h('div', { class: 'gauge-value' });

  constructor(def: PanelDefinition, ctx: PanelContext) {
    super('gauge', def, ctx);
    const chart = svg('svg', { viewBox: '0 0 200 170', class: 'gauge', role: 'img' });
    chart.appendChild(svg('path', { d: arc(1), class: 'gauge-track' }));
    this.#fill = svg('path', { d: arc(0), class: 'gauge-fill' });
    chart.appendChild(this.#fill);
    this.frame.body.append(chart, this.#text);
  }

  protected render(value: number | null): void {
    const min = this.def.min ?? 0;
    const max = this.def.max ?? (this.def.unit === 'percent' ? 100 : 1);
    const color = thresholdColor(value, this.def.thresholds);
    this.#fill.setAttribute('d', arc(value === null ? 0 : (value - min) / (max - min)));
    this.#fill.setAttribute('stroke', COLORS[color]);
    this.#text.style.color = COLORS[color];
    this.#text.dataset.color = color;
    replace(this.#text, formatValue(value, this.def.unit, this.def.decimals));
  }
}
