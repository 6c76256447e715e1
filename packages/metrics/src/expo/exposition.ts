import type { RegistrySnapshot } from '../core/snapshot.js';
import { toCollectorDocument } from './collector-json.js';
import { type Negotiated, negotiate } from './negotiate.js';
import { toOpenMetrics } from './openmetrics.js';
import { toPrometheusText } from './prometheus-text.js';
import { toProtobuf } from './protobuf-exposition.js';

export interface Exposition {
  readonly contentType: string;
  /** Text, or bytes for the protobuf exposition. */
  readonly body: string | Uint8Array;
}

export interface ExpositionOptions {
  /** Prometheus name → the user's name, for the JSON document (see `toCollectorDocument`). */
  readonly names?: ReadonlyMap<string, string>;
}

/**
 * The body of a `/metrics` response in the format the Accept header asks for (see `negotiate`).
 * Native histograms need a snapshot taken with `{ native: true }`: `exposeFrom` takes it so.
 */
export function exposition(
  snapshot: RegistrySnapshot,
  accept: string | undefined,
  options: ExpositionOptions = {},
): Exposition {
  return render(negotiate(accept), snapshot, options);
}

/** Negotiates, then snapshots `source` with the sketches that the chosen format needs, and renders. */
export async function exposeFrom(
  source: { snapshot(options?: { native?: boolean }): Promise<RegistrySnapshot> },
  accept: string | undefined,
  options: ExpositionOptions = {},
): Promise<Exposition> {
  const negotiated = negotiate(accept);
  const snapshot = await source.snapshot(negotiated.format === 'protobuf' ? { native: true } : undefined);
  return render(negotiated, snapshot, options);
}

function render(
  { format, contentType }: Negotiated,
  snapshot: RegistrySnapshot,
  options: ExpositionOptions,
): Exposition {
  switch (format) {
    case 'openmetrics':
      return { contentType, body: toOpenMetrics(snapshot) };
    case 'json':
      return { contentType, body: JSON.stringify(toCollectorDocument(snapshot, options.names)) };
    case 'protobuf':
      return { contentType, body: toProtobuf(snapshot) };
    case 'prometheus':
      return { contentType, body: toPrometheusText(snapshot) };
  }
}
