import type { RegistrySnapshot } from '../core/snapshot.js';
import { toCollectorDocument } from './collector-json.js';
import { negotiate } from './negotiate.js';
import { toOpenMetrics } from './openmetrics.js';
import { toPrometheusText } from './prometheus-text.js';

export interface Exposition {
  readonly contentType: string;
  readonly body: string;
}

export interface ExpositionOptions {
  /** Prometheus name → the user's name, for the JSON document (see `toCollectorDocument`). */
  readonly names?: ReadonlyMap<string, string>;
}

/** The body of a `/metrics` response in the format the Accept header asks for (see `negotiate`). */
export function exposition(
  snapshot: RegistrySnapshot,
  accept: string | undefined,
  options: ExpositionOptions = {},
): Exposition {
  const { format, contentType } = negotiate(accept);
  switch (format) {
    case 'openmetrics':
      return { contentType, body: toOpenMetrics(snapshot) };
    case 'json':
      return { contentType, body: JSON.stringify(toCollectorDocument(snapshot, options.names)) };
    case 'prometheus':
      return { contentType, body: toPrometheusText(snapshot) };
  }
}
