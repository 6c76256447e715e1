import type { ApiClient } from '../api-client.js';
import { h, replace } from '../dom.js';

interface MetadataEntry {
  readonly type: string;
  readonly help: string;
  readonly unit: string;
}

interface MetricRow {
  readonly name: string;
  readonly type: string;
  readonly help: string;
}

/** Rows drawn at once: a filter narrows the rest down. */
const SHOWN = 200;
/** Suffixes of the series a family writes (histogram, summary, counter, info), whose metadata is the family's. */
const FAMILY_SUFFIX = /_(bucket|sum|count|total|created|info)$/;

/**
 * Every metric name the server stores, with its type and help from the metadata API where ingest
 * read them, filtered as one types; a click hands the name to `onPick`. Asked for when first opened.
 */
export class MetricBrowser {
  readonly element = h('details', { class: 'metric-browser' });
  readonly #api: ApiClient;
  readonly #onPick: (name: string) => void;
  readonly #filter = h('input', {
    type: 'search',
    class: 'metric-filter',
    placeholder: 'Filter metric names',
    'aria-label': 'Filter metric names',
  });
  readonly #list = h('ul', { class: 'metric-list' });
  readonly #status = h('p', { class: 'panel-message' });
  #rows: MetricRow[] | undefined;

  constructor(api: ApiClient, onPick: (name: string) => void) {
    this.#api = api;
    this.#onPick = onPick;
    replace(this.element, h('summary', {}, 'Metric browser'), this.#filter, this.#status, this.#list);
    this.#filter.addEventListener('input', () => this.#render());
    this.element.addEventListener('toggle', () => {
      if (this.element.open && this.#rows === undefined) void this.#fetch();
    });
  }

  async #fetch(): Promise<void> {
    replace(this.#status, 'Loading metric names…');
    try {
      const [names, metadata] = await Promise.all([
        this.#api.get<{ data: string[] }>('/api/v1/label/__name__/values'),
        this.#api
          .get<{ data: Record<string, MetadataEntry[]> }>('/api/v1/metadata')
          .catch(() => ({ data: {} as Record<string, MetadataEntry[]> })),
      ]);
      this.#rows = names.data.map((name) => {
        const meta = metadata.data[name]?.[0] ?? metadata.data[name.replace(FAMILY_SUFFIX, '')]?.[0];
        return { name, type: meta?.type ?? '', help: meta?.help ?? '' };
      });
      this.#render();
    } catch (error) {
      replace(this.#status, `Cannot list the metrics: ${(error as Error).message}`);
      this.#status.classList.add('error');
    }
  }

  #render(): void {
    const rows = this.#rows;
    if (rows === undefined) return;
    const words = this.#filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    const matching = rows.filter((row) => {
      const text = `${row.name} ${row.help}`.toLowerCase();
      return words.every((word) => text.includes(word));
    });
    replace(
      this.#status,
      matching.length === rows.length
        ? `${rows.length} metrics. Click one to put it into the query.`
        : `${matching.length} of ${rows.length} metrics.`,
      matching.length > SHOWN ? ` The first ${SHOWN} are listed: type to narrow them down.` : '',
    );
    replace(
      this.#list,
      ...matching.slice(0, SHOWN).map((row) => {
        const button = h(
          'button',
          { type: 'button', class: 'metric-pick', title: `Insert ${row.name}` },
          h('span', { class: 'metric-name' }, row.name),
          row.type !== '' && h('span', { class: 'metric-type' }, row.type),
          row.help !== '' && h('span', { class: 'metric-help' }, row.help),
        );
        button.addEventListener('click', () => this.#onPick(row.name));
        return h('li', {}, button);
      }),
    );
  }
}
