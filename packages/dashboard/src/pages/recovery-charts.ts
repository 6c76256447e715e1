import uPlot from 'uplot';
import { h, replace } from '../dom.js';
import { formatTicks, formatValue } from '../format-value.js';
import { AXIS, timeAxis } from '../panels/chart-axes.js';
import { followWidth } from '../panels/follow-width.js';
import { type IncidentTimes, recoveryStats } from '../recovery-stats.js';

const HEIGHT = 200;
const MTTA_COLOR = '#d29922';
const MTTR_COLOR = '#58a6ff';

const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);
const duration = (ms: number | null) => (ms === null ? '–' : formatValue(ms / 1000, 's'));

/**
 * MTTA and MTTR of the incidents listed: per day an incident opened, as two lines (uPlot), and per
 * alert name, as a table whose bars compare the names. Drawn again from each load's list.
 */
export class RecoveryCharts {
  readonly element: HTMLElement;
  readonly #chart = h('div', { class: 'recovery-chart', 'data-chart': 'recovery-over-time' });
  readonly #byAlert = h('div', { class: 'table-scroll', 'data-chart': 'recovery-by-alert' });
  readonly #resize: ResizeObserver;
  #plot: uPlot | undefined;

  constructor() {
    this.element = h(
      'section',
      { class: 'alert-section', 'data-section': 'recovery' },
      h('h3', {}, 'Time to acknowledge and to resolve'),
      this.#chart,
      this.#byAlert,
    );
    this.#resize = followWidth(this.#chart, HEIGHT, () => this.#plot);
  }

  update(incidents: readonly IncidentTimes[]): void {
    const { days, byAlert } = recoveryStats(incidents);
    this.#plot?.destroy();
    this.#plot = undefined;
    if (days.length === 0) {
      replace(this.#chart, h('p', { class: 'empty' }, 'No incidents yet.'));
      replace(this.#byAlert);
      return;
    }
    replace(this.#chart);
    // One day alone would be a single point at the plot's edge: pad the x scale half a day each side.
    const xs = days.map((d) => (d.dayMs + 43_200_000) / 1000);
    this.#plot = new uPlot(
      {
        width: Math.max(this.#chart.clientWidth, 200),
        height: HEIGHT,
        legend: { live: true },
        scales: {
          x: { time: true, range: () => [xs[0]! - 43_200, xs.at(-1)! + 43_200] },
          y: { range: (_u: uPlot, _min: number, max: number) => [0, Math.max(max, 60) * 1.1] },
        },
        series: [
          { label: 'Day' },
          ...(
            [
              ['MTTA', MTTA_COLOR],
              ['MTTR', MTTR_COLOR],
            ] as const
          ).map(([label, stroke]) => ({
            label,
            stroke,
            width: 1.5,
            spanGaps: false,
            points: { show: true, size: 6, fill: stroke },
            value: (_u: uPlot, v: number | null) => (v === null ? '–' : formatValue(v, 's')),
          })),
        ],
        axes: [
          timeAxis(),
          { ...AXIS, size: 60, values: (_u: uPlot, ticks: number[]) => formatTicks(ticks, 's') },
        ],
      },
      [xs, days.map((d) => seconds(d.mttaMs)), days.map((d) => seconds(d.mttrMs))] as uPlot.AlignedData,
      this.#chart,
    );
    const longest = Math.max(1, ...byAlert.map((a) => Math.max(a.mttaMs ?? 0, a.mttrMs ?? 0)));
    const bar = (ms: number | null, color: string) =>
      h(
        'span',
        { class: 'recovery-bar-cell' },
        h('span', {
          class: 'recovery-bar',
          style: `width:${((ms ?? 0) / longest) * 8}em;background:${color}`,
        }),
        h('span', {}, duration(ms)),
      );
    replace(
      this.#byAlert,
      h(
        'table',
        { class: 'alert-table' },
        h('tr', {}, ...['Alert', 'Incidents', 'MTTA', 'MTTR'].map((t) => h('th', {}, t))),
        ...byAlert.map((a) =>
          h(
            'tr',
            { 'data-alertname': a.alertname },
            h('td', {}, a.alertname),
            h('td', {}, a.incidents),
            h('td', { 'data-mtta': a.mttaMs ?? '' }, bar(a.mttaMs, MTTA_COLOR)),
            h('td', { 'data-mttr': a.mttrMs ?? '' }, bar(a.mttrMs, MTTR_COLOR)),
          ),
        ),
      ),
    );
  }

  destroy(): void {
    this.#resize.disconnect();
    this.#plot?.destroy();
  }
}
