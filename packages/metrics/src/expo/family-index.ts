import type { LineReader } from './line-reader.js';
import type { ParsedFamily, ParsedSample, ParsedType } from './parsed-family.js';

export interface FamilyState {
  readonly name: string;
  type: ParsedType;
  help: string;
  unit: string;
  readonly samples: ParsedSample[];
  hasHelp: boolean;
  hasType: boolean;
  hasUnit: boolean;
  /** Another family has started since; OpenMetrics does not let this one continue. */
  closed: boolean;
}

/** The sample name suffixes each type allows after its family name (OpenMetrics spec, "Suffixes"). */
const TEXT_SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_count', '_sum'],
  summary: ['', '_count', '_sum'],
};
const OPENMETRICS_SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  counter: ['_total', '_created'],
  gauge: [''],
  unknown: [''],
  stateset: [''],
  info: ['_info'],
  summary: ['', '_count', '_sum', '_created'],
  histogram: ['_bucket', '_count', '_sum', '_created'],
  gaugehistogram: ['_bucket', '_gcount', '_gsum'],
};
const TEXT_SEARCH = ['_bucket', '_count', '_sum'];
const OPENMETRICS_SEARCH = ['_total', '_created', '_bucket', '_count', '_sum', '_gcount', '_gsum', '_info'];

/**
 * The families seen so far, in order of appearance, and which one a line belongs to. A sample
 * belongs to the current family if its name fits that family's type, else to the family of exactly
 * its name, else to the family it is a suffixed sample of (`h_bucket` of histogram `h`), else to a
 * new family of unknown type, as Go's text parser decides and the OpenMetrics suffix rules say.
 */
export class FamilyIndex {
  readonly #openMetrics: boolean;
  readonly #suffixes: Readonly<Record<string, readonly string[]>>;
  readonly #families: FamilyState[] = [];
  readonly #byName = new Map<string, FamilyState>();
  #current: FamilyState | undefined;

  constructor(openMetrics: boolean) {
    this.#openMetrics = openMetrics;
    this.#suffixes = openMetrics ? OPENMETRICS_SUFFIXES : TEXT_SUFFIXES;
  }

  /** The family a HELP, TYPE or UNIT line names, created if new, made current. */
  forMetadata(name: string, reader: LineReader): FamilyState {
    const family = this.#byName.get(name) ?? this.#create(name);
    this.#enter(family, reader);
    return family;
  }

  /** The family a sample named `name` belongs to, made current. */
  forSample(name: string, reader: LineReader): FamilyState {
    const current = this.#current;
    if (
      current !== undefined &&
      name.startsWith(current.name) &&
      this.allows(current, name.slice(current.name.length))
    ) {
      return current;
    }
    const exact = this.#byName.get(name);
    if (exact !== undefined) {
      if (!this.allows(exact, '')) {
        const expected = (this.#suffixes[exact.type] ?? []).map((suffix) => name + suffix).join(', ');
        reader.fail(`sample "${name}" does not fit ${exact.type} "${name}"; expected ${expected}`);
      }
      this.#enter(exact, reader);
      return exact;
    }
    for (const suffix of this.#openMetrics ? OPENMETRICS_SEARCH : TEXT_SEARCH) {
      if (!name.endsWith(suffix)) continue;
      const base = this.#byName.get(name.slice(0, -suffix.length));
      if (base !== undefined && this.allows(base, suffix)) {
        this.#enter(base, reader);
        return base;
      }
    }
    const created = this.#create(name);
    this.#enter(created, reader);
    return created;
  }

  allows(family: FamilyState, suffix: string): boolean {
    return (this.#suffixes[family.type] ?? []).includes(suffix);
  }

  families(): ParsedFamily[] {
    return this.#families.map(({ name, type, help, unit, samples }) => ({ name, type, help, unit, samples }));
  }

  #create(name: string): FamilyState {
    const family: FamilyState = {
      name,
      type: this.#openMetrics ? 'unknown' : 'untyped',
      help: '',
      unit: '',
      samples: [],
      hasHelp: false,
      hasType: false,
      hasUnit: false,
      closed: false,
    };
    this.#families.push(family);
    this.#byName.set(name, family);
    return family;
  }

  #enter(family: FamilyState, reader: LineReader): void {
    const current = this.#current;
    if (family === current) return;
    if (this.#openMetrics && family.closed) {
      reader.fail(
        `"${family.name}" continues a family that other lines interrupted; OpenMetrics families must not be interleaved`,
      );
    }
    if (current !== undefined) current.closed = true;
    this.#current = family;
  }
}
