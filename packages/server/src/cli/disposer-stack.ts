/**
 * What the composition root has opened, released in the reverse order of opening: the same list
 * serves a start-up that fails half-way (everything opened so far is released, so the process can
 * exit and its ports are free) and a normal stop. A disposer that throws does not keep the ones
 * below it from running; its error is reported with the resource's name.
 */
export class DisposerStack {
  readonly #entries: Array<{ name: string; dispose: () => void | Promise<void> }> = [];
  #disposing: Promise<Error[]> | undefined;

  /** Registers how to release `name`; returns `value` so that opening and registering are one line. */
  use<T>(name: string, value: T, dispose: (value: T) => void | Promise<void>): T {
    this.#entries.push({ name, dispose: () => dispose(value) });
    return value;
  }

  defer(name: string, dispose: () => void | Promise<void>): void {
    this.#entries.push({ name, dispose });
  }

  /** Releases everything, newest first, once; resolves to the errors of the disposers that failed. */
  dispose(): Promise<Error[]> {
    this.#disposing ??= (async () => {
      const errors: Error[] = [];
      for (const { name, dispose } of this.#entries.splice(0).reverse()) {
        try {
          await dispose();
        } catch (error) {
          errors.push(new Error(`closing ${name}: ${(error as Error).message}`, { cause: error }));
        }
      }
      return errors;
    })();
    return this.#disposing;
  }
}
