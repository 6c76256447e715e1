import type { PanelDefinition } from '../dashboard-definition.js';
import { liveReducer } from '../live-reducer.js';
import type { ResolvedRange } from '../time-range.js';
import type { Panel, PanelContext } from './panel.js';
import { PanelFrame } from './panel-frame.js';

/**
 * What stat and gauge panels share: one number, the query's value at the end of the range (summed
 * when it returns several series), then, with `live`, the stream's value at every server refresh.
 */
export abstract class SingleValuePanel implements Panel {
  protected readonly def: PanelDefinition;
  protected readonly frame: PanelFrame;
  readonly #ctx: PanelContext;
  #unsubscribe: (() => void) | undefined;

  constructor(type: string, def: PanelDefinition, ctx: PanelContext) {
    this.def = def;
    this.#ctx = ctx;
    this.frame = new PanelFrame(type, def.title, def.width, def.description);
  }

  get element(): HTMLElement {
    return this.frame.element;
  }

  async load(range: ResolvedRange, live: boolean): Promise<void> {
    this.#stopLive();
    try {
      const samples = await this.#ctx.queries.instant(this.def.queries[0]!.expr, range);
      const values = samples.map((s) => Number(s.value[1])).filter((v) => !Number.isNaN(v));
      this.#show(values.length === 0 ? null : values.reduce((a, b) => a + b, 0));
    } catch (error) {
      this.frame.fail(error);
      return;
    }
    if (live && this.def.live) {
      const reduce = liveReducer(this.def.live.reduce);
      this.#unsubscribe = this.#ctx.live.subscribe(this.def.live.match, (samples) => {
        const value = reduce(samples);
        if (value !== null) this.#show(value);
      });
    }
  }

  #show(value: number | null): void {
    this.render(value);
    this.frame.state = value === null ? 'empty' : 'ok';
    this.frame.message(value === null ? 'No data in this range' : '');
  }

  protected abstract render(value: number | null): void;

  #stopLive(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  destroy(): void {
    this.#stopLive();
  }
}
