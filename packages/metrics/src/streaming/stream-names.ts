/**
 * Prometheus name → the streaming seed's key, for `toSessionsDocument(snapshot, { names })`: the
 * helpers name their metrics as Prometheus wants (`_total`, base units), the seed's document
 * as its users read it (`packets_sent`, `network_latency_ms`). A `_seconds` histogram shown under an
 * `_ms` key is converted to milliseconds by the document.
 */
export function streamingSessionNames(prefix = 'stream'): Map<string, string> {
  const p = `${prefix}_`;
  return new Map([
    [`${p}packets_sent_total`, 'packets_sent'],
    [`${p}dropped_packets_total`, 'dropped_packets'],
    [`${p}tick_to_send_seconds`, 'network_latency_ms'],
    [`${p}timing_error_seconds`, 'timing_error_ms'],
    [`${p}ticks_total`, 'ticks'],
    [`${p}missed_ticks_total`, 'missed_ticks'],
    [`${p}packets_received_total`, 'packets_received'],
    [`${p}sequence_gaps_total`, 'sequence_gaps'],
    [`${p}duplicate_packets_total`, 'duplicate_packets'],
    [`${p}reordered_packets_total`, 'reordered_packets'],
    [`${p}stray_packets_total`, 'stray_packets'],
    [`${p}sequence_restarts_total`, 'sequence_restarts'],
    [`${p}websocket_clients`, 'websocket_clients'],
    [`${p}broadcasts_total`, 'broadcasts'],
    [`${p}message_size_bytes`, 'message_size_bytes'],
  ]);
}
