/** Distinct error types kept per cell; more land in `other`, so a caller's free text cannot grow it. */
const MAX_ERROR_TYPES = 20;

/** One call, as a cell adds it. */
export interface UsageSample {
  /** Seconds, or undefined when the caller gave no valid duration. */
  readonly seconds: number | undefined;
  readonly errorType: string | undefined;
  readonly input: number;
  readonly output: number;
  readonly cachedInput: number;
  readonly reasoning: number;
  /** Per usage type; undefined when no price applied. */
  readonly cost:
    | { readonly input: number; readonly cached_input: number; readonly output: number }
    | undefined;
}

/** Sums of calls over one slot of time (an hour, a day) for one provider and model. */
export class UsageCell {
  requests = 0;
  errors = 0;
  timed = 0;
  seconds = 0;
  input = 0;
  output = 0;
  cachedInput = 0;
  reasoning = 0;
  costInput = 0;
  costCachedInput = 0;
  costOutput = 0;
  unpriced = 0;
  errorTypes: Map<string, number> | undefined;

  get cost(): number {
    return this.costInput + this.costCachedInput + this.costOutput;
  }

  add(s: UsageSample): void {
    this.requests++;
    if (s.seconds !== undefined) {
      this.timed++;
      this.seconds += s.seconds;
    }
    this.input += s.input;
    this.output += s.output;
    this.cachedInput += s.cachedInput;
    this.reasoning += s.reasoning;
    if (s.cost) {
      this.costInput += s.cost.input;
      this.costCachedInput += s.cost.cached_input;
      this.costOutput += s.cost.output;
    } else this.unpriced++;
    if (s.errorType !== undefined) {
      this.errors++;
      const types = (this.errorTypes ??= new Map());
      const type = types.has(s.errorType) || types.size < MAX_ERROR_TYPES ? s.errorType : 'other';
      types.set(type, (types.get(type) ?? 0) + 1);
    }
  }

  merge(o: UsageCell): void {
    this.requests += o.requests;
    this.errors += o.errors;
    this.timed += o.timed;
    this.seconds += o.seconds;
    this.input += o.input;
    this.output += o.output;
    this.cachedInput += o.cachedInput;
    this.reasoning += o.reasoning;
    this.costInput += o.costInput;
    this.costCachedInput += o.costCachedInput;
    this.costOutput += o.costOutput;
    this.unpriced += o.unpriced;
    if (o.errorTypes) {
      const types = (this.errorTypes ??= new Map());
      for (const [type, n] of o.errorTypes) types.set(type, (types.get(type) ?? 0) + n);
    }
  }

  reset(): void {
    this.requests = this.errors = this.timed = this.seconds = 0;
    this.input = this.output = this.cachedInput = this.reasoning = 0;
    this.costInput = this.costCachedInput = this.costOutput = this.unpriced = 0;
    this.errorTypes = undefined;
  }
}
