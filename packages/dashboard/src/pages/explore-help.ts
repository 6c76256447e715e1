import { h } from '../dom.js';

const EXAMPLES: readonly (readonly [string, string])[] = [
  ['up', 'every scrape target, 1 when its last scrape worked'],
  ['sum by (operation) (rate(latency_operations_total[5m]))', 'operations per second, per operation'],
  [
    'histogram_quantile(0.95, sum by (le) (rate(latency_operation_duration_seconds_bucket[5m])))',
    'p95 latency from a classic histogram',
  ],
  [
    'topk(5, sum by (model) (increase(vigil_llm_cost_usd_total[1h])))',
    'the five dearest LLM models of the hour',
  ],
];

/** What Explore takes and how its editor is driven, for someone who has not written PromQL here before. */
export function exploreHelp(onExample: (query: string) => void): HTMLElement {
  return h(
    'details',
    { class: 'explore-help' },
    h('summary', {}, 'Help'),
    h(
      'p',
      {},
      'Queries are PromQL, as in Prometheus, over the time range picked at the top. ',
      h('kbd', {}, 'Enter'),
      ' runs the query, ',
      h('kbd', {}, 'Shift+Enter'),
      ' starts a new line, ',
      h('kbd', {}, 'Ctrl+Space'),
      ' lists completions: functions, metric names, and label names and values of the metric being typed. ',
      'The Metric browser lists every stored metric with its type and help; a click puts its name at the cursor. ',
      'Queries that ran are kept under Query history, in this browser only.',
    ),
    h(
      'ul',
      { class: 'explore-examples' },
      ...EXAMPLES.map(([query, what]) => {
        const button = h('button', { type: 'button', class: 'example-query' }, query);
        button.addEventListener('click', () => onExample(query));
        return h('li', {}, button, h('span', { class: 'example-what' }, what));
      }),
    ),
    h(
      'p',
      {},
      'The language: ',
      h(
        'a',
        {
          href: 'https://prometheus.io/docs/prometheus/latest/querying/basics/',
          target: '_blank',
          rel: 'noopener',
        },
        'Querying Prometheus',
      ),
      '.',
    ),
  );
}
