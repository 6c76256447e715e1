import type { Clock } from '@vigil/metrics';
import type { StatusComponentConfig, StatusPageConfig } from '../config/status-pages-config.js';
import { isStaleNaN } from '../store/series-store.js';
import { componentSeries } from './component-series.js';
import { componentUptime, rollupResolution, uptimeOf } from './component-uptime.js';
import { type StatusPageSources, type StatusPageView, statusPageView } from './status-page-view.js';

export interface StatusPagesOptions {
  readonly pages: readonly StatusPageConfig[];
  readonly sources: StatusPageSources;
  readonly clock: Clock;
  /** How long a built page (and a badge's figure) is served before it is built again. Default 30 s. */
  readonly ttlMs?: number;
}

interface Cached<T> {
  readonly atMs: number;
  readonly value: Promise<T>;
  /** A rebuild under way, once the value is older than the TTL. */
  next?: Promise<T>;
}

/** Badge figures cached at once at most; past it the cache starts again (each is cheap to rebuild). */
const MAX_CACHED_FIGURES = 1000;

/**
 * The configured status pages, each built from the store at most once per `ttlMs` however many
 * people (or badge images) ask: what faces the internet costs the store a bounded amount of work.
 * Past the TTL the last build is still served while the next one is made, so only the first
 * request after start-up (or after an incident was posted on the page) waits for a build.
 */
export class StatusPages {
  readonly #pages: Map<string, StatusPageConfig>;
  readonly #components = new Map<string, { page: StatusPageConfig; component: StatusComponentConfig }>();
  readonly #sources: StatusPageSources;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #views = new Map<string, Cached<StatusPageView>>();
  readonly #figures = new Map<string, Cached<number | null>>();

  constructor(options: StatusPagesOptions) {
    this.#pages = new Map(options.pages.map((p) => [p.slug, p]));
    for (const page of options.pages)
      for (const g of page.groups)
        for (const c of g.components) this.#components.set(c.id, { page, component: c });
    this.#sources = options.sources;
    this.#clock = options.clock;
    this.#ttlMs = options.ttlMs ?? 30_000;
  }

  get slugs(): string[] {
    return [...this.#pages.keys()];
  }

  has(slug: string): boolean {
    return this.#pages.has(slug);
  }

  /** The page as it is shown; undefined for an unknown slug. */
  view(slug: string): Promise<StatusPageView> | undefined {
    const page = this.#pages.get(slug);
    if (!page) return undefined;
    return this.#cached(this.#views, slug, () => statusPageView(this.#sources, page, this.#clock.now()));
  }

  /** Forgets the built page, after an incident was posted on it. */
  invalidate(slug: string): void {
    this.#views.delete(slug);
  }

  /** The component with this badge id and its page's view; undefined when no page shows it. */
  async component(id: string) {
    const found = this.#components.get(id);
    if (!found) return undefined;
    const view = await this.view(found.page.slug)!;
    const shown = view.groups.flatMap((g) => g.components).find((c) => c.id === id)!;
    return { config: found.component, view: shown };
  }

  /** Uptime over the last `ms`; null without data. */
  uptime(component: StatusComponentConfig, ms: number): Promise<number | null> {
    return this.#figure(`${component.id}\u0000uptime\u0000${ms}`, async (now) =>
      uptimeOf(await componentUptime(this.#sources, component.source, now - ms, now, ms)),
    );
  }

  /**
   * Response time in ms: the newest sample of the last `ms`, or their mean (from the rollups, as
   * uptime is, so a year costs what a day does); null for a query component or without samples.
   */
  responseMs(component: StatusComponentConfig, which: 'newest' | 'mean', ms: number): Promise<number | null> {
    const { source } = component;
    if (source.kind === 'query') return Promise.resolve(null);
    const series = componentSeries(source).responseSeconds;
    const { store } = this.#sources;
    return this.#figure(`${component.id}\u0000${which}\u0000${ms}`, async (now) => {
      if (which === 'mean') {
        const resolution = rollupResolution(now - ms, now, ms);
        const lists = await Promise.all(series.map((m) => store.selectRollup(m, now - ms, now, resolution)));
        let sum = 0;
        let count = 0;
        for (const list of lists)
          for (const r of list)
            for (let i = 0; i < r.sum.length; i++) {
              if (Number.isNaN(r.sum[i]!)) continue;
              sum += r.sum[i]!;
              count += r.count[i]!;
            }
        return count > 0 ? (sum / count) * 1000 : null;
      }
      const lists = await Promise.all(series.map((m) => store.select(m, now - ms, now)));
      let last: { t: number; v: number } | undefined;
      for (const list of lists)
        for (const s of list)
          for (let i = s.values.length - 1; i >= 0; i--) {
            const v = s.values[i]!;
            if (Number.isNaN(v) || isStaleNaN(v)) continue;
            const t = s.timestamps[i]!;
            if (!last || t > last.t) last = { t, v };
            break;
          }
      return last ? last.v * 1000 : null;
    });
  }

  #figure(key: string, build: (now: number) => Promise<number | null>): Promise<number | null> {
    if (this.#figures.size > MAX_CACHED_FIGURES) this.#figures.clear();
    return this.#cached(this.#figures, key, () => build(this.#clock.now()));
  }

  /** Builds every page now, so that the first visitor does not wait. */
  warm(): Promise<void> {
    return Promise.all(this.slugs.map((slug) => this.view(slug))).then(() => undefined);
  }

  #cached<T>(cache: Map<string, Cached<T>>, key: string, build: () => Promise<T>): Promise<T> {
    const now = this.#clock.now();
    const hit = cache.get(key);
    if (hit && now - hit.atMs < this.#ttlMs) return hit.value;
    if (hit) {
      if (!hit.next) {
        const next = build();
        hit.next = next;
        next.then(
          (value) => {
            if (cache.get(key) === hit)
              cache.set(key, { atMs: this.#clock.now(), value: Promise.resolve(value) });
          },
          () => {
            if (cache.get(key) === hit) delete hit.next;
          },
        );
      }
      return hit.value;
    }
    const value = build();
    cache.set(key, { atMs: now, value });
    // A failed build is not kept: the next request tries again.
    value.catch(() => {
      if (cache.get(key)?.value === value) cache.delete(key);
    });
    return value;
  }
}
