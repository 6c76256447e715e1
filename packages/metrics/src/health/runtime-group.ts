/** A set of runtime metrics registered together: their names, and how to stop their sampling. */
export interface RuntimeGroup {
  readonly names: readonly string[];
  stop(): void;
}
