import type { PanelDefinition } from '../dashboard-definition.js';
import { h, replace } from '../dom.js';
import { formatTime } from '../format-time.js';
import { formatValue } from '../format-value.js';
import type { ResolvedRange } from '../time-range.js';
import type { Panel, PanelContext } from './panel.js';
import { PanelFrame } from './panel-frame.js';
import { uptimeWindow } from './uptime-window.js';

/** The colour class of one bar: Uptime Kuma's reading of an availability ratio. */
function barClass(ratio: number | undefined): string {
  if (ratio === undefined || Number.isNaN(ratio)) return 'bar-none';
  if (ratio >= 0.999) return 'bar-up';
  if (ratio >= 0.9) return 'bar-degraded';
  return 'bar-down';
}

/**
 * Availability bars, one row per value of `key`: the query (an up/down 0..1 series averaged per
 * bucket, such as `avg_over_time(vigil_provider_up[$__interval])`) over the panel's own `window`
 * (24h, 30d) ending now, one bar per `bucket`; the row's figure is the mean of its bars.
 */
export class UptimePanel implements Panel {
  readonly #def: PanelDefinition;
  readonly #ctx: PanelContext;
  readonly #frame: PanelFrame;

  constructor(def: PanelDefinition, ctx: PanelContext) {
    this.#def = def;
    this.#ctx = ctx;
    this.#frame = new PanelFrame('uptime', def.title, def.width, def.description);
  }

  get element(): HTMLElement {
    return this.#frame.element;
  }

  async load(range: ResolvedRange): Promise<void> {
    const { range: own, bucket, window } = uptimeWindow(this.#def, range);
    const key = this.#def.key!;
    let series: Awaited<ReturnType<PanelContext['queries']['range']>>;
    try {
      series = await this.#ctx.queries.range(this.#def.queries[0]!.expr, own, bucket);
    } catch (error) {
      this.#frame.fail(error);
      return;
    }
    const count = Math.round(window / bucket);
    const rows = series
      .map((s) => {
        const byTime = new Map((s.values ?? []).map(([t, v]) => [Math.round(t), Number(v)]));
        const bars = Array.from({ length: count }, (_, i) => {
          const t = own.start / 1000 + i * bucket;
          return { t, ratio: byTime.get(t) };
        });
        const known = bars
          .map((b) => b.ratio)
          .filter((r): r is number => r !== undefined && !Number.isNaN(r));
        const mean = known.length ? known.reduce((a, b) => a + b, 0) / known.length : undefined;
        return { name: s.metric[key] ?? '(none)', bars, mean };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    replace(
      this.#frame.body,
      ...rows.map((row) =>
        h(
          'div',
          { class: 'uptime-row', 'data-row': row.name },
          h('span', { class: 'uptime-name' }, row.name),
          h(
            'span',
            { class: 'uptime-bars' },
            ...row.bars.map((bar) =>
              h('span', {
                class: `bar ${barClass(bar.ratio)}`,
                title: `${formatTime(bar.t * 1000)}: ${bar.ratio === undefined ? 'no data' : formatValue(bar.ratio, 'ratio', 2)}`,
              }),
            ),
          ),
          h('span', { class: `uptime-figure ${barClass(row.mean)}` }, formatValue(row.mean, 'ratio', 2)),
        ),
      ),
    );
    this.#frame.state = rows.length === 0 ? 'empty' : 'ok';
    this.#frame.message(rows.length === 0 ? 'No data in this window' : '');
  }

  destroy(): void {}
}
