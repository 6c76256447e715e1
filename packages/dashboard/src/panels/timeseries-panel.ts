import uPlot from 'uplot';
import type { PanelDefinition } from '../dashboard-definition.js';
import { formatValue } from '../format-value.js';
import { liveReducer } from '../live-reducer.js';
import type { VectorSample } from '../prometheus-types.js';
import { COLORS } from '../thresholds.js';
import { type ResolvedRange, stepFor } from '../time-range.js';
import { type AlignedSeries, alignSeries, labelKey } from './aligned-series.js';
import type { Panel, PanelContext } from './panel.js';
import { PanelFrame } from './panel-frame.js';
import { seriesColor } from './series-palette.js';

const HEIGHT = 220;
/** Past this many series the legend is hidden: it would push the chart off the card. */
const MAX_LEGEND = 24;

/**
 * Lines over time (uPlot), one per series of each query, with the thresholds drawn as dashed lines.
 * With `live` and a range ending now, the stream's samples are appended as they arrive and the
 * oldest dropped, so the window keeps its width without a reload.
 */
export class TimeseriesPanel implements Panel {
  readonly #def: PanelDefinition;
  readonly #ctx: PanelContext;
  readonly #frame: PanelFrame;
  #plot: uPlot | undefined;
  #data: AlignedSeries | undefined;
  #unsubscribe: (() => void) | undefined;
  readonly #resize: ResizeObserver;

  constructor(def: PanelDefinition, ctx: PanelContext) {
    this.#def = def;
    this.#ctx = ctx;
    this.#frame = new PanelFrame('timeseries', def.title, def.width, def.description);
    this.#resize = new ResizeObserver(() => {
      const width = this.#frame.body.clientWidth;
      if (this.#plot && width > 0 && width !== this.#plot.width)
        this.#plot.setSize({ width, height: HEIGHT });
    });
    this.#resize.observe(this.#frame.body);
  }

  get element(): HTMLElement {
    return this.#frame.element;
  }

  async load(range: ResolvedRange, live: boolean): Promise<void> {
    this.#stopLive();
    let data: AlignedSeries;
    try {
      const results = await Promise.all(
        this.#def.queries.map(async (q) => ({
          series: await this.#ctx.queries.range(q.expr, range),
          ...(q.legend !== undefined && { legend: q.legend }),
        })),
      );
      data = alignSeries(results);
    } catch (error) {
      this.#frame.fail(error);
      return;
    }
    this.#draw(data);
    const window = range.end - range.start;
    if (live && this.#def.live) this.#follow(this.#def.live, window / 1000, stepFor(range));
  }

  #draw(data: AlignedSeries): void {
    this.#data = data;
    this.#plot?.destroy();
    this.#plot = undefined;
    const empty = data.ys.length === 0 || data.xs.length === 0;
    this.#frame.state = empty ? 'empty' : 'ok';
    this.#frame.message(empty ? 'No data in this range' : '');
    if (empty) return;
    const unit = this.#def.unit;
    const thresholds = this.#def.thresholds ?? [];
    const axis = { stroke: '#8b949e', grid: { stroke: '#30363d', width: 1 }, ticks: { stroke: '#30363d' } };
    this.#plot = new uPlot(
      {
        width: Math.max(this.#frame.body.clientWidth, 200),
        height: HEIGHT,
        legend: { show: data.names.length <= MAX_LEGEND, live: true },
        cursor: { drag: { x: true, y: false } },
        scales: { x: { time: true } },
        series: [
          {},
          ...data.names.map((label, i) => ({
            label,
            stroke: seriesColor(i),
            // Many thin lines read better than many thick ones, and rasterise faster.
            width: data.names.length > MAX_LEGEND ? 1 : 1.5,
            // uPlot marks every point with a circle once points are far enough apart (a 15-minute
            // window at 10 s is); with 200 series that is 18,000 arcs a redraw, most of a live
            // update's time. Past the legend's limit the lines alone are read.
            ...(data.names.length > MAX_LEGEND && { points: { show: false } }),
            value: (_u: uPlot, v: number | null) => formatValue(v, unit, this.#def.decimals),
          })),
        ],
        axes: [
          axis,
          {
            ...axis,
            size: 70,
            values: (_u: uPlot, values: number[]) => values.map((v) => formatValue(v, unit)),
          },
        ],
        hooks: {
          draw: [
            (u: uPlot) => {
              const { ctx, bbox } = u;
              for (const t of thresholds) {
                const y = u.valToPos(t.value, 'y', true);
                if (y < bbox.top || y > bbox.top + bbox.height) continue;
                ctx.save();
                ctx.strokeStyle = COLORS[t.color];
                ctx.setLineDash([6, 4]);
                ctx.beginPath();
                ctx.moveTo(bbox.left, y);
                ctx.lineTo(bbox.left + bbox.width, y);
                ctx.stroke();
                ctx.restore();
              }
            },
          ],
        },
      },
      [data.xs, ...data.ys] as uPlot.AlignedData,
      this.#frame.body,
    );
  }

  /**
   * Adds each live round to the chart, keeping `windowSeconds` of it. A round less than `step`
   * after the point before the last moves the last point instead of adding one, so the chart keeps
   * the query's resolution (and its drawing cost) however long it stays open.
   */
  #follow(live: NonNullable<PanelDefinition['live']>, windowSeconds: number, step: number): void {
    const reduce = live.reduce === 'none' ? undefined : liveReducer(live.reduce);
    this.#unsubscribe = this.#ctx.live.subscribe(live.match, (samples, time) => {
      const data = this.#data;
      if (!this.#plot || !data) return;
      const values = reduce ? [reduce(samples)] : this.#perSeries(samples, data);
      const n = data.xs.length;
      const last = data.xs[n - 1];
      if (last !== undefined && time <= last) return;
      const before = data.xs[n - 2];
      const replaceLast = before !== undefined && time - before < step;
      if (replaceLast) data.xs[n - 1] = time;
      else data.xs.push(time);
      for (const [i, column] of data.ys.entries()) {
        if (replaceLast) column[n - 1] = values[i] ?? null;
        else column.push(values[i] ?? null);
      }
      let drop = 0;
      while (drop < data.xs.length && data.xs[drop]! < time - windowSeconds) drop++;
      if (drop > 0) {
        data.xs.splice(0, drop);
        for (const column of data.ys) column.splice(0, drop);
      }
      this.#plot.setData([data.xs, ...data.ys] as uPlot.AlignedData);
    });
  }

  #perSeries(samples: readonly VectorSample[], data: AlignedSeries): (number | null)[] {
    const byKey = new Map(samples.map((s) => [labelKey(s.metric), Number(s.value[1])]));
    return data.keys.map((key) => byKey.get(key) ?? null);
  }

  #stopLive(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  destroy(): void {
    this.#stopLive();
    this.#resize.disconnect();
    this.#plot?.destroy();
  }
}
