import uPlot from 'uplot';
import type { PanelDefinition } from '../dashboard-definition.js';
import { h, replace } from '../dom.js';
import { formatTime, isUtc } from '../format-time.js';
import { formatValue } from '../format-value.js';
import { type ResolvedRange, stepFor } from '../time-range.js';
import { AXIS as GRID_AXIS, timeAxis } from './chart-axes.js';
import { followWidth } from './follow-width.js';
import { type HeatmapGrid, heatmapGrid } from './heatmap-grid.js';
import type { Panel, PanelContext } from './panel.js';
import { PanelFrame } from './panel-frame.js';

const HEIGHT = 240;
/** Cells fill the plot: no grid lines over them. */
const AXIS = { ...GRID_AXIS, grid: { show: false } };
/** Rows labelled on the y-axis at most; the others still draw. */
const MAX_LABELS = 8;

/**
 * How a distribution moves over time: a column per step, a row per bucket, each cell's colour the
 * observations per second in that bucket (a square-root scale, so the tail shows beside the body).
 * From native histograms when the query returns them, else classic buckets (`sum by (le)`); the
 * first of the panel's queries (all are sent) that returns either is drawn. The x-axis is the picked range.
 */
export class HeatmapPanel implements Panel {
  readonly #def: PanelDefinition;
  readonly #ctx: PanelContext;
  readonly #frame: PanelFrame;
  readonly #readout = h('div', { class: 'heatmap-readout' });
  #plot: uPlot | undefined;
  readonly #resize: ResizeObserver;

  constructor(def: PanelDefinition, ctx: PanelContext) {
    this.#def = def;
    this.#ctx = ctx;
    this.#frame = new PanelFrame('heatmap', def.title, def.width, def.description);
    this.#frame.body.after(this.#readout);
    this.#resize = followWidth(this.#frame.body, HEIGHT, () => this.#plot);
  }

  get element(): HTMLElement {
    return this.#frame.element;
  }

  async load(range: ResolvedRange): Promise<void> {
    const step = stepFor(range);
    let grid: HeatmapGrid | undefined;
    try {
      // All at once, as panelRequests announces them: the page may have sent them already.
      const results = await Promise.all(
        this.#def.queries.map((q) => this.#ctx.queries.range(q.expr, range, step)),
      );
      grid = results.map(heatmapGrid).find((g) => g !== undefined);
    } catch (error) {
      this.#frame.fail(error);
      return;
    }
    this.#draw(grid, range, step);
  }

  #draw(grid: HeatmapGrid | undefined, range: ResolvedRange, step: number): void {
    this.#plot?.destroy();
    this.#plot = undefined;
    const empty = !grid || grid.max === 0;
    this.#frame.state = empty ? 'empty' : 'ok';
    this.#frame.message(empty ? 'No data in this range' : '');
    replace(this.#readout, '');
    if (empty) return;
    const { xs, edges, rows, cells } = grid;
    const unit = this.#def.unit;
    const dataset = this.#frame.element.dataset;
    dataset.source = grid.source;
    dataset.rows = String(rows);
    dataset.columns = String(xs.length);
    dataset.cells = String(cells.filter((c) => c > 0).length);
    dataset.xMin = String(range.start);
    dataset.xMax = String(range.end);
    const every = Math.ceil((rows + 1) / MAX_LABELS);
    this.#plot = new uPlot(
      {
        width: Math.max(this.#frame.body.clientWidth, 200),
        height: HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: false, y: false }, points: { show: false } },
        ...(isUtc() && { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC') }),
        scales: {
          x: { time: true, range: () => [range.start / 1000, range.end / 1000] },
          y: { range: () => [0, rows] },
        },
        series: [{}, { stroke: 'transparent', points: { show: false } }],
        axes: [
          timeAxis(AXIS),
          {
            ...AXIS,
            size: 70,
            // A tick on every row edge that gets a label, whatever uPlot would have chosen.
            splits: () => edges.map((_, i) => i).filter((i) => i % every === 0 || i === rows),
            values: (_u: uPlot, ticks: number[]) =>
              ticks.map((i) => (i % every === 0 || i === rows ? formatValue(edges[i]!, unit) : '')),
          },
        ],
        hooks: {
          draw: [(u: uPlot) => drawCells(u, grid, step)],
          setCursor: [(u: uPlot) => this.#point(u, grid, step)],
        },
      },
      [xs as number[], xs.map(() => null)] as uPlot.AlignedData,
      this.#frame.body,
    );
  }

  /** What the cell under the cursor holds, under the chart: time, bucket and rate. */
  #point(u: uPlot, grid: HeatmapGrid, step: number): void {
    const { left, top } = u.cursor;
    if (left === undefined || top === undefined || left < 0 || top < 0) {
      replace(this.#readout, '');
      return;
    }
    const t = u.posToVal(left, 'x');
    const row = Math.floor(u.posToVal(top, 'y'));
    const column = grid.xs.findIndex((x) => t > x - step && t <= x);
    if (column < 0 || row < 0 || row >= grid.rows) {
      replace(this.#readout, '');
      return;
    }
    const unit = this.#def.unit;
    const value = grid.cells[column * grid.rows + row]!;
    replace(
      this.#readout,
      `${formatTime(grid.xs[column]! * 1000)} · ${formatValue(grid.edges[row]!, unit)} – ${formatValue(grid.edges[row + 1]!, unit)} · ${formatValue(value, 'ops')}`,
    );
  }

  destroy(): void {
    this.#resize.disconnect();
    this.#plot?.destroy();
  }
}

/** Each cell as a rectangle from the step before its time to its time, coloured by its rate. */
function drawCells(u: uPlot, grid: HeatmapGrid, step: number): void {
  const { ctx, bbox } = u;
  const { xs, rows, cells, max } = grid;
  ctx.save();
  ctx.beginPath();
  ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
  ctx.clip();
  for (let column = 0; column < xs.length; column++) {
    const x0 = u.valToPos(xs[column]! - step, 'x', true);
    const x1 = u.valToPos(xs[column]!, 'x', true);
    for (let row = 0; row < rows; row++) {
      const value = cells[column * rows + row]!;
      if (value <= 0) continue;
      const y0 = u.valToPos(row + 1, 'y', true);
      const y1 = u.valToPos(row, 'y', true);
      ctx.fillStyle = heat(Math.sqrt(value / max));
      // Half a pixel of overlap, so neighbouring cells leave no hairline gaps.
      ctx.fillRect(x0, y0, Math.max(1, x1 - x0 + 0.5), Math.max(1, y1 - y0 + 0.5));
    }
  }
  ctx.restore();
}

/** Dark blue through orange to pale yellow, for a fraction of the largest cell. */
function heat(f: number): string {
  const stops = [
    [33, 45, 79],
    [120, 60, 120],
    [230, 110, 50],
    [253, 231, 150],
  ] as const;
  const at = Math.min(1, Math.max(0, f)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(at));
  const k = at - i;
  const [a, b] = [stops[i]!, stops[i + 1]!];
  return `rgb(${a.map((c, j) => Math.round(c + (b[j]! - c) * k)).join(',')})`;
}
