/** What one session spent. */
export interface SessionCost {
  readonly session_id: string;
  readonly requests: number;
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly cost: number;
  /** ISO times of the first and last call. */
  readonly first_seen: string;
  readonly last_seen: string;
}

interface Entry {
  requests: number;
  input: number;
  output: number;
  cost: number;
  first: number;
  last: number;
}

/** Per-session totals for the `max` most recently active sessions; the least recent is dropped first. */
export class SessionCosts {
  readonly #max: number;
  // A Map iterates in insertion order: re-inserting on each call keeps the least recent first.
  readonly #entries = new Map<string, Entry>();

  constructor(max: number) {
    this.#max = max;
  }

  add(id: string, now: number, input: number, output: number, cost: number): void {
    let entry = this.#entries.get(id);
    if (entry) this.#entries.delete(id);
    else entry = { requests: 0, input: 0, output: 0, cost: 0, first: now, last: now };
    entry.requests++;
    entry.input += input;
    entry.output += output;
    entry.cost += cost;
    entry.last = now;
    this.#entries.set(id, entry);
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
  }

  get(id: string): SessionCost | undefined {
    const e = this.#entries.get(id);
    return (
      e && {
        session_id: id,
        requests: e.requests,
        input_tokens: e.input,
        output_tokens: e.output,
        cost: e.cost,
        first_seen: new Date(e.first).toISOString(),
        last_seen: new Date(e.last).toISOString(),
      }
    );
  }

  /** The `limit` costliest sessions, costliest first. */
  top(limit: number): SessionCost[] {
    return [...this.#entries.keys()]
      .map((id) => this.get(id)!)
      .sort((a, b) => b.cost - a.cost)
      .slice(0, limit);
  }
}
