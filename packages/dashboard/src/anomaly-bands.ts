import type { ApiClient } from './api-client.js';
import type { Envelope } from './prometheus-types.js';

/** The recorded series holding the edges of an anomaly band (docs/forecasts.md#anomaly-bands). */
export interface BandNames {
  /** The recorded series `s` the band is for. */
  readonly series: string;
  readonly lower: string;
  readonly upper: string;
}

interface RulesData {
  readonly groups: readonly {
    readonly rules: readonly { readonly name: string; readonly query: string }[];
  }[];
}

/** Rules change only with a reload: asked again after this long, not on every refresh. */
const TTL_MS = 60_000;

/**
 * Which chart queries have an anomaly band: the server's recording rules are read once a minute,
 * and a query has one when rules record `s:band_lower` and `s:band_upper` for an `s` that is the
 * query itself (a recorded series charted by name) or the expression recorded as `s`.
 */
export class AnomalyBands {
  readonly #api: ApiClient;
  #index: Promise<Map<string, BandNames>> | undefined;
  #asked = 0;

  constructor(api: ApiClient) {
    this.#api = api;
  }

  async of(expr: string): Promise<BandNames | undefined> {
    if (!this.#index || Date.now() - this.#asked > TTL_MS) {
      this.#asked = Date.now();
      // Without the rules (an older server, a refused request) charts are drawn without bands.
      this.#index = this.#api
        .get<Envelope<RulesData>>('/api/v1/rules', { type: 'record' })
        .then((body) => bandIndex(body.data.groups.flatMap((g) => g.rules)))
        .catch(() => new Map());
    }
    return (await this.#index).get(normalize(expr));
  }
}

/** Each banded series, by its name and by the expression recorded under that name. */
export function bandIndex(rules: readonly { name: string; query: string }[]): Map<string, BandNames> {
  const names = new Set(rules.map((r) => r.name));
  const index = new Map<string, BandNames>();
  for (const rule of rules) {
    if (!rule.name.endsWith(':band_upper')) continue;
    const series = rule.name.slice(0, -':band_upper'.length);
    if (!names.has(`${series}:band_lower`)) continue;
    const band = { series, lower: `${series}:band_lower`, upper: rule.name };
    index.set(series, band);
    const recorded = rules.find((r) => r.name === series);
    if (recorded) index.set(normalize(recorded.query), band);
  }
  return index;
}

/** PromQL compared without layout: runs of space become one, and none is kept around punctuation. */
function normalize(expr: string): string {
  return expr
    .replace(/\s+/g, ' ')
    .replace(/ ?([^\w: ]) ?/g, '$1')
    .trim();
}
