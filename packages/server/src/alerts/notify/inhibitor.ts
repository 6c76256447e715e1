import { matchesAll } from '../../matchers/label-matcher.js';
import type { SeriesLabels } from '../../store/series-store.js';
import { type AlertStore, isResolved } from './alert-store.js';
import { fingerprint } from './fingerprint.js';
import type { InhibitRule } from './notify-config.js';

/**
 * Alertmanager's inhibition: an alert matching a rule's target matchers is muted while a firing
 * alert matching its source matchers has the same values for every `equal` label. An alert that
 * matches both sides does not inhibit itself. Sources are indexed by their `equal` values, rebuilt
 * only when the alert store has changed.
 */
export class Inhibitor {
  readonly #rules: readonly InhibitRule[];
  readonly #store: AlertStore;
  readonly #now: () => number;
  #index: Array<Map<string, string[]>> = [];
  #validUntil = -1;
  #builtVersion = -1;

  constructor(rules: readonly InhibitRule[], store: AlertStore, now: () => number) {
    this.#rules = rules;
    this.#store = store;
    this.#now = now;
  }

  /** Fingerprints of the firing alerts that inhibit `labels`; empty when none does. */
  inhibitedBy(labels: SeriesLabels): string[] {
    if (this.#rules.length === 0) return [];
    this.#refresh();
    const self = fingerprint(labels);
    const out: string[] = [];
    this.#rules.forEach((rule, i) => {
      if (!matchesAll(rule.targetMatchers, labels)) return;
      for (const fp of this.#index[i]!.get(equalKey(rule, labels)) ?? []) if (fp !== self) out.push(fp);
    });
    return out;
  }

  #refresh(): void {
    const now = this.#now();
    // A source stops inhibiting when it resolves, so the index also lapses at the first source's end.
    if (this.#builtVersion === this.#store.version && now < this.#validUntil) return;
    this.#index = this.#rules.map(() => new Map<string, string[]>());
    let validUntil = Number.POSITIVE_INFINITY;
    for (const alert of this.#store.list()) {
      if (isResolved(alert, now)) continue;
      this.#rules.forEach((rule, i) => {
        if (!matchesAll(rule.sourceMatchers, alert.labels)) return;
        validUntil = Math.min(validUntil, alert.endsAt);
        const key = equalKey(rule, alert.labels);
        const map = this.#index[i]!;
        const list = map.get(key);
        if (list) list.push(alert.fingerprint);
        else map.set(key, [alert.fingerprint]);
      });
    }
    this.#builtVersion = this.#store.version;
    this.#validUntil = validUntil;
  }
}

function equalKey(rule: InhibitRule, labels: SeriesLabels): string {
  return rule.equal.map((name) => labels[name] ?? '').join('\u0000');
}
