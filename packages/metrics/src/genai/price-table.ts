import { invalidOption } from '../base/errors.js';

/**
 * A model's price in USD per million tokens, in effect from `effectiveFrom` until a later entry for
 * the same provider and model. Costs are worked out when a call is recorded, at the price then in
 * effect, so adding a new price never changes what was already spent.
 */
export interface ModelPrice {
  /** Matches any provider when absent. */
  readonly provider?: string;
  /** Exact (`gpt-4o-mini`), or a prefix ending in `*` (`claude-3-5-sonnet*`) for dated versions. */
  readonly model: string;
  /** `YYYY-MM-DD` (midnight UTC), any ISO time, or Unix ms. */
  readonly effectiveFrom: string | number;
  readonly input: number;
  readonly output: number;
  /** Cache-read input tokens. Default: the input price. */
  readonly cachedInput?: number;
}

/** Token counts as OpenTelemetry records them: input includes cached input, output includes reasoning. */
export interface TokenUsage {
  readonly input: number;
  readonly cachedInput: number;
  readonly output: number;
}

/** USD per usage type, as Langfuse's `cost_details`. */
export interface CostDetails {
  readonly input: number;
  readonly cached_input: number;
  readonly output: number;
  readonly total: number;
}

interface Entry {
  readonly from: number;
  readonly input: number;
  readonly output: number;
  readonly cachedInput: number;
}

interface Group {
  readonly provider: string | undefined;
  readonly model: string;
  readonly prefix: boolean;
  /** Ascending by `from`. */
  readonly entries: Entry[];
}

/** Versioned prices, looked up by provider, model and time. */
export class PriceTable {
  readonly #groups = new Map<string, Group>();
  /** Groups that match a provider/model pair, most specific first. */
  readonly #matches = new Map<string, Group[]>();

  constructor(prices: readonly ModelPrice[] = []) {
    if (!Array.isArray(prices))
      throw invalidOption('prices', prices, 'an array of { model, effectiveFrom, input, output }');
    for (const [i, price] of prices.entries()) this.add(price, `prices[${i}]`);
  }

  /** Adds a price; an entry for the same provider, model and date replaces the old one. */
  add(price: ModelPrice, option = 'price'): void {
    if (typeof price !== 'object' || price === null) {
      throw invalidOption(option, price, 'an object { model, effectiveFrom, input, output }');
    }
    const { provider, model } = price;
    if (typeof model !== 'string' || model === '' || model === '*') {
      throw invalidOption(`${option}.model`, model, 'a model name, or a prefix ending in *');
    }
    if (provider !== undefined && (typeof provider !== 'string' || provider === '')) {
      throw invalidOption(`${option}.provider`, provider, 'a provider name, or nothing for any');
    }
    const from =
      typeof price.effectiveFrom === 'number' ? price.effectiveFrom : Date.parse(price.effectiveFrom);
    if (!Number.isFinite(from)) {
      throw invalidOption(
        `${option}.effectiveFrom`,
        price.effectiveFrom,
        'a date such as "2024-10-01", or Unix ms',
      );
    }
    const usd = (key: 'input' | 'output' | 'cachedInput', value: unknown) => {
      if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
        throw invalidOption(`${option}.${key}`, value, 'USD per million tokens, a finite number >= 0');
      }
      return value;
    };
    const input = usd('input', price.input);
    const entry: Entry = {
      from,
      input,
      output: usd('output', price.output),
      cachedInput: price.cachedInput === undefined ? input : usd('cachedInput', price.cachedInput),
    };
    const key = `${provider ?? '*'}\u0000${model}`;
    let group = this.#groups.get(key);
    if (!group) {
      const prefix = model.endsWith('*');
      group = { provider, model: prefix ? model.slice(0, -1) : model, prefix, entries: [] };
      this.#groups.set(key, group);
      this.#matches.clear();
    }
    const at = group.entries.findIndex((e) => e.from >= from);
    if (at === -1) group.entries.push(entry);
    else group.entries.splice(at, group.entries[at]!.from === from ? 1 : 0, entry);
  }

  /** The price in effect for `provider`/`model` at `at` (Unix ms), per million tokens. */
  priceAt(provider: string, model: string, at: number): Omit<Entry, 'from'> | undefined {
    for (const group of this.#candidates(provider, model)) {
      let found: Entry | undefined;
      for (const entry of group.entries) {
        if (entry.from > at) break;
        found = entry;
      }
      if (found) return { input: found.input, output: found.output, cachedInput: found.cachedInput };
    }
    return undefined;
  }

  /** What `usage` cost at `at`, or undefined when no price applies. */
  cost(provider: string, model: string, usage: TokenUsage, at: number): CostDetails | undefined {
    const price = this.priceAt(provider, model, at);
    if (!price) return undefined;
    const cached = Math.min(usage.cachedInput, usage.input);
    const input = ((usage.input - cached) * price.input) / 1e6;
    const cachedInput = (cached * price.cachedInput) / 1e6;
    const output = (usage.output * price.output) / 1e6;
    return { input, cached_input: cachedInput, output, total: input + cachedInput + output };
  }

  /** Exact model before prefix, longer prefix before shorter, this provider before any provider. */
  #candidates(provider: string, model: string): Group[] {
    const key = `${provider}\u0000${model}`;
    let groups = this.#matches.get(key);
    if (groups) return groups;
    groups = [...this.#groups.values()]
      .filter(
        (g) =>
          (g.provider === undefined || g.provider === provider) &&
          (g.prefix ? model.startsWith(g.model) : model === g.model),
      )
      .sort(
        (a, b) =>
          Number(a.prefix) - Number(b.prefix) ||
          b.model.length - a.model.length ||
          Number(a.provider === undefined) - Number(b.provider === undefined),
      );
    // Bounded by the models a process calls; cleared when a new group is added.
    this.#matches.set(key, groups);
    return groups;
  }
}
