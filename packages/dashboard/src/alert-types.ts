import type { Labels } from './prometheus-types.js';

/** Prometheus's /api/v1/alerts entry, as GET /api/alerts serves it. */
export interface ActiveAlert {
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly state: 'pending' | 'firing';
  readonly activeAt: string;
  readonly value: string;
  readonly silencedBy?: readonly string[];
}

/** One line of GET /api/alerts/history. */
export type AlertHistoryEvent =
  | {
      readonly kind: 'state';
      readonly time: string;
      readonly labels: Labels;
      readonly from: string;
      readonly to: string;
      readonly value: string;
    }
  | {
      readonly kind: 'notification';
      readonly time: string;
      readonly receiver: string;
      readonly status: string;
      readonly alerts: readonly Labels[];
      readonly result: string;
      readonly attempt: number;
      readonly error?: string;
    };

export interface Matcher {
  readonly name: string;
  readonly value: string;
  readonly isRegex: boolean;
  readonly isEqual: boolean;
}

/** Alertmanager v2's gettableSilence, as GET /api/silences serves it. */
export interface Silence {
  readonly id: string;
  readonly matchers: readonly Matcher[];
  readonly startsAt: string;
  readonly endsAt: string;
  readonly createdBy: string;
  readonly comment: string;
  readonly status: { readonly state: 'active' | 'pending' | 'expired' };
}
