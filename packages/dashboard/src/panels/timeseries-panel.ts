import uPlot from 'uplot';
import type { PanelDefinition } from '../dashboard-definition.js';
import { formatTime, isUtc } from '../format-time.js';
import { formatTicks, formatValue, type Unit } from '../format-value.js';
import { liveReducer } from '../live-reducer.js';
import type { MatrixSeries, VectorSample } from '../prometheus-types.js';
import { COLORS } from '../thresholds.js';
import { type ResolvedRange, stepFor } from '../time-range.js';
import { type AlignedSeries, alignSeries, combineValues, labelKey } from './aligned-series.js';
import { type BandPair, bandColumns } from './band-columns.js';
import { AXIS, timeAxis } from './chart-axes.js';
import { followWidth } from './follow-width.js';
import type { Panel, PanelContext } from './panel.js';
import { PanelFrame } from './panel-frame.js';
import { seriesColors } from './series-palette.js';
import { yRange } from './y-range.js';

const HEIGHT = 220;
/** More lines than this do not read: the largest are drawn and the rest summed up as "others". */
const MAX_SERIES = 10;
/** Units whose series add up to a total ("others" is their sum); the rest show the others' maximum. */
const ADDITIVE: ReadonlySet<Unit> = new Set(['short', 'ops', 'usd', 'bytes', 'tokens', 'none']);

/**
 * Lines over time (uPlot), one per series of each query, over exactly the picked range (the x
 * scale is the range, not the span of the data), with gaps where nothing was recorded, the
 * thresholds drawn as labelled dashed lines, the expected range shaded around a series whose
 * anomaly band rules record one, and the legend showing each series' latest value until the
 * cursor points at another. With `live` and a range ending now, the stream's samples are
 * appended as they arrive and the window slides, so it keeps its width without a reload.
 */
export class TimeseriesPanel implements Panel {
  readonly #def: PanelDefinition;
  readonly #ctx: PanelContext;
  readonly #frame: PanelFrame;
  #plot: uPlot | undefined;
  #data: AlignedSeries | undefined;
  #bands: BandPair[] = [];
  /** The x scale, Unix seconds: the picked range, moved along by live samples. */
  #x = { min: 0, max: 0 };
  #unsubscribe: (() => void) | undefined;
  readonly #resize: ResizeObserver;

  constructor(def: PanelDefinition, ctx: PanelContext) {
    this.#def = def;
    this.#ctx = ctx;
    this.#frame = new PanelFrame('timeseries', def.title, def.width, def.description);
    this.#resize = followWidth(this.#frame.body, HEIGHT, () => this.#plot);
  }

  get element(): HTMLElement {
    return this.#frame.element;
  }

  async load(range: ResolvedRange, live: boolean): Promise<void> {
    this.#stopLive();
    const step = stepFor(range);
    let data: AlignedSeries;
    let bands: { lower: MatrixSeries[]; upper: MatrixSeries[]; series: string }[];
    // Asked alongside the series, so that a chart without a band waits for nothing more.
    const banded = this.#bandsOf(range, step);
    banded.catch(() => {});
    try {
      const results = await Promise.all(
        this.#def.queries.map(async (q) => ({
          series: await this.#ctx.queries.range(q.expr, range, step),
          ...(q.legend !== undefined && { legend: q.legend }),
        })),
      );
      data = alignSeries(results, {
        step,
        limit: MAX_SERIES,
        combine: ADDITIVE.has(this.#def.unit) ? 'sum' : 'max',
      });
      bands = await banded;
    } catch (error) {
      this.#frame.fail(error);
      return;
    }
    this.#bands = bands.flatMap((b) => bandColumns(data, b.lower, b.upper, b.series));
    this.#x = { min: range.start / 1000, max: range.end / 1000 };
    this.#draw(data);
    if (live && this.#def.live) this.#follow(this.#def.live, step);
  }

  /** The band edges of each query that has an anomaly band, over the same range and step. */
  async #bandsOf(range: ResolvedRange, step: number) {
    const names = await Promise.all(this.#def.queries.map((q) => this.#ctx.bands.of(q.expr)));
    return Promise.all(
      names.flatMap((band) =>
        band
          ? [
              Promise.all([
                this.#ctx.queries.range(band.lower, range, step),
                this.#ctx.queries.range(band.upper, range, step),
              ]).then(([lower, upper]) => ({ lower, upper, series: band.series })),
            ]
          : [],
      ),
    );
  }

  #draw(data: AlignedSeries): void {
    this.#data = data;
    this.#plot?.destroy();
    this.#plot = undefined;
    const bands = this.#bands;
    const empty = data.ys.length === 0 || data.xs.length === 0;
    this.#frame.state = empty ? 'empty' : 'ok';
    this.#frame.message(empty ? 'No data in this range' : '');
    this.#frame.element.dataset.series = String(data.names.length);
    if (empty) return;
    const unit = this.#def.unit;
    const thresholds = this.#def.thresholds ?? [];
    const colors = seriesColors(data.names);
    // Until the cursor points somewhere, the legend reads the latest known value of each series.
    const latest = (column: readonly (number | null)[] | undefined) => {
      for (let i = (column?.length ?? 0) - 1; i >= 0; i--) if (column![i] !== null) return column![i]!;
      return null;
    };
    this.#plot = new uPlot(
      {
        width: Math.max(this.#frame.body.clientWidth, 200),
        height: HEIGHT,
        legend: { live: true },
        cursor: { drag: { x: true, y: false } },
        ...(isUtc() && { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC') }),
        scales: {
          x: { time: true, range: () => [this.#x.min, this.#x.max] },
          y: { range: (_u: uPlot, min: number, max: number) => yRange(min, max, unit) },
        },
        series: [
          {
            label: 'Time',
            value: (u: uPlot, v: number | null, _s: number, idx: number | null) =>
              formatTime(1000 * (idx === null ? (latest(u.data[0] as number[]) ?? Number.NaN) : v!)),
          },
          ...data.names.map((label, i) => ({
            label,
            stroke: colors[i]!,
            width: 1.5,
            value: (u: uPlot, v: number | null, s: number, idx: number | null) =>
              formatValue(
                idx === null ? latest(u.data[s] as (number | null)[]) : v,
                unit,
                this.#def.decimals,
              ),
          })),
          ...bands.flatMap((band) =>
            (['low', 'high'] as const).map((edge) => ({
              label: `expected ${edge} · ${data.names[band.of]}`,
              stroke: `${colors[band.of]}99`,
              width: 1,
              dash: [3, 3],
              value: (u: uPlot, v: number | null, s: number, idx: number | null) =>
                formatValue(
                  idx === null ? latest(u.data[s] as (number | null)[]) : v,
                  unit,
                  this.#def.decimals,
                ),
            })),
          ),
        ],
        // Each band fills between its high edge and its low edge (series indices count the x axis).
        bands: bands.map((band, i) => ({
          series: [data.ys.length + 2 * i + 2, data.ys.length + 2 * i + 1] as [number, number],
          fill: `${colors[band.of]}2e`,
        })),
        axes: [
          timeAxis(),
          {
            ...AXIS,
            size: 70,
            values: (_u: uPlot, ticks: number[]) => formatTicks(ticks, unit),
          },
        ],
        hooks: {
          draw: [
            (u: uPlot) => {
              const { ctx, bbox } = u;
              const ratio = devicePixelRatio || 1;
              for (const t of thresholds) {
                const y = u.valToPos(t.value, 'y', true);
                if (y < bbox.top || y > bbox.top + bbox.height) continue;
                ctx.save();
                ctx.strokeStyle = COLORS[t.color];
                ctx.fillStyle = COLORS[t.color];
                ctx.setLineDash([6, 4]);
                ctx.beginPath();
                ctx.moveTo(bbox.left, y);
                ctx.lineTo(bbox.left + bbox.width, y);
                ctx.stroke();
                ctx.font = `${11 * ratio}px system-ui, sans-serif`;
                ctx.textAlign = 'right';
                ctx.textBaseline = 'bottom';
                ctx.fillText(formatValue(t.value, unit), bbox.left + bbox.width - 4 * ratio, y - 2 * ratio);
                ctx.restore();
              }
            },
          ],
          setScale: [(u: uPlot, key: string) => key === 'x' && this.#markScale(u)],
        },
      },
      this.#columns(),
      this.#frame.body,
    );
    this.#markScale(this.#plot);
    this.#markBands(this.#plot);
  }

  /** uPlot's data: the time axis, the series, then each band's low and high edge. */
  #columns(): uPlot.AlignedData {
    const data = this.#data!;
    return [data.xs, ...data.ys, ...this.#bands.flatMap((b) => [b.lower, b.upper])] as uPlot.AlignedData;
  }

  /**
   * The bands as uPlot holds them, as attributes: how many, and at how many points the first has
   * both edges (what a test or a reader checks to know that an expected range is drawn).
   */
  #markBands(u: uPlot): void {
    // uPlot keeps its bands on the instance (uPlot.d.ts does not declare it).
    const bands = (u as uPlot & { readonly bands?: readonly uPlot.Band[] }).bands ?? [];
    const first = bands[0];
    const dataset = this.#frame.element.dataset;
    dataset.bands = String(bands.length);
    if (!first) {
      delete dataset.bandPoints;
      return;
    }
    const [high, low] = first.series.map((s) => u.data[s] as (number | null)[]);
    dataset.bandPoints = String(high!.filter((v, i) => v !== null && low![i] !== null).length);
  }

  /** The x scale as attributes, for tests and for anyone checking what the chart spans. */
  #markScale(u: uPlot): void {
    const { min, max } = u.scales.x!;
    if (min !== undefined && max !== undefined) {
      this.#frame.element.dataset.xMin = String(Math.round(min * 1000));
      this.#frame.element.dataset.xMax = String(Math.round(max * 1000));
    }
  }

  /**
   * Adds each live round to the chart, keeping the window's width. A round less than `step` after
   * the point before the last moves the last point instead of adding one, so the chart keeps the
   * query's resolution (and its drawing cost) however long it stays open.
   */
  #follow(live: NonNullable<PanelDefinition['live']>, step: number): void {
    const reduce = live.reduce === 'none' ? undefined : liveReducer(live.reduce);
    this.#unsubscribe = this.#ctx.live.subscribe(live.match, (samples, time) => {
      const data = this.#data;
      if (!this.#plot || !data) return;
      const values = reduce ? [reduce(samples)] : this.#perSeries(samples, data);
      const n = data.xs.length;
      const last = data.xs[n - 1];
      if (last !== undefined && time <= last) return;
      const edges = this.#bands.flatMap((b) => [b.lower, b.upper]);
      if (last !== undefined && time - last > step * 1.5) {
        data.xs.push((last + time) / 2);
        for (const column of [...data.ys, ...edges]) column.push(null);
      }
      const m = data.xs.length;
      const before = data.xs[m - 2];
      const replaceLast = before !== undefined && time - before < step;
      if (replaceLast) data.xs[m - 1] = time;
      else data.xs.push(time);
      for (const [i, column] of data.ys.entries()) {
        if (replaceLast) column[m - 1] = values[i] ?? null;
        else column.push(values[i] ?? null);
      }
      // The band is known up to the last evaluation of its rules: none for live points.
      if (!replaceLast) for (const column of edges) column.push(null);
      const width = this.#x.max - this.#x.min;
      if (time > this.#x.max) this.#x = { min: time - width, max: time };
      let drop = 0;
      while (drop < data.xs.length && data.xs[drop]! < this.#x.min) drop++;
      if (drop > 0) {
        data.xs.splice(0, drop);
        for (const column of [...data.ys, ...edges]) column.splice(0, drop);
      }
      this.#plot.setData(this.#columns());
    });
  }

  #perSeries(samples: readonly VectorSample[], data: AlignedSeries): (number | null)[] {
    const byKey = new Map(samples.map((s) => [labelKey(s.metric), Number(s.value[1])]));
    return data.members.map((keys) =>
      combineValues(
        keys.map((k) => byKey.get(k)),
        data.combine,
      ),
    );
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
