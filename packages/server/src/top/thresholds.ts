/** The colour a figure gets: within its target, past its warning level, past its critical level. */
export type Level = 'ok' | 'warning' | 'critical' | 'none';

export interface Threshold {
  readonly warning: number;
  readonly critical: number;
}

/** Where a value falls; `none` without a threshold or a value. */
export function levelOf(value: number | undefined, t: Threshold | undefined): Level {
  if (value === undefined || !t) return 'none';
  return value >= t.critical ? 'critical' : value >= t.warning ? 'warning' : 'ok';
}

/** Seconds at p95, the callbot seed's per operation, the orchestrator seed's 5 s for LLM calls. */
export const LATENCY_THRESHOLDS: Readonly<Record<string, Threshold>> = {
  speech_to_text: { warning: 2, critical: 5 },
  text_to_speech: { warning: 1.5, critical: 3 },
  crm_api: { warning: 1, critical: 3 },
  rag_inference: { warning: 3, critical: 8 },
  LLM: { warning: 5, critical: 10 },
};

/** Loss: the streaming seed's "< 0.1 % acceptable, > 1 % critical". */
export const LOSS: Threshold = { warning: 0.001, critical: 0.01 };
/** Timing error: "1–2 ms good, > 5 ms a stability problem". */
export const TIMING_ERROR: Threshold = { warning: 0.002, critical: 0.005 };
/** Memory per session: "< 50 MB". */
export const SESSION_MEMORY: Threshold = { warning: 40 * 1024 * 1024, critical: 50 * 1024 * 1024 };

export function latencyThreshold(label: string): Threshold | undefined {
  return LATENCY_THRESHOLDS[label] ?? (label.startsWith('LLM ') ? LATENCY_THRESHOLDS.LLM : undefined);
}
