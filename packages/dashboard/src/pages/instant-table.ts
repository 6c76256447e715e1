import { h } from '../dom.js';
import { formatTimeText } from '../format-time.js';
import { formatValue, type Unit } from '../format-value.js';
import { type Labels, parseApiNumber, type VectorSample } from '../prometheus-types.js';

/** Rows drawn: past it the table says how many it left out, as Prometheus's own table does. */
const ROWS = 500;

/**
 * Explore's Table view, as Prometheus's: each series of an instant query at the end of the picked
 * range, `name{label="value", ...}` and its value in the query's unit (the raw number on hover).
 */
export function instantTable(samples: readonly VectorSample[], unit: Unit, timeMs: number): HTMLElement {
  const rows = samples.slice(0, ROWS).map((sample) => {
    const raw = sample.value?.[1];
    const value = raw === undefined ? 'histogram' : formatValue(parseApiNumber(raw), unit);
    return h(
      'tr',
      {},
      h('td', { class: 'series-name' }, seriesName(sample.metric)),
      h('td', { class: 'series-value', title: raw ?? '' }, value),
    );
  });
  return h(
    'div',
    { class: 'panel instant-table' },
    h(
      'p',
      { class: 'panel-message' },
      `${samples.length} series at ${formatTimeText(new Date(timeMs).toISOString())}`,
      samples.length > ROWS ? `; the first ${ROWS} are shown` : '',
    ),
    samples.length === 0
      ? h('p', { class: 'empty-state' }, 'No series: the query matched nothing at this time.')
      : h(
          'div',
          { class: 'panel-body' },
          h(
            'table',
            { class: 'data-table' },
            h('thead', {}, h('tr', {}, h('th', {}, 'Series'), h('th', {}, 'Value'))),
            h('tbody', {}, ...rows),
          ),
        ),
  );
}

function seriesName(labels: Labels): string {
  const { __name__: name = '', ...rest } = labels;
  const pairs = Object.entries(rest).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return pairs.length === 0 && name !== '' ? name : `${name}{${pairs.join(', ')}}`;
}
