import { invalidOption } from '../base/errors.js';

/** A record at or above `warningMs` raises a warning, at or above `criticalMs` a critical. */
export interface LatencyThreshold {
  readonly warningMs: number;
  readonly criticalMs: number;
}

/** The callbot seed's defaults ("Seuils par défaut"). */
export const DEFAULT_THRESHOLDS: Readonly<Record<string, LatencyThreshold>> = Object.freeze({
  speech_to_text: Object.freeze({ warningMs: 2000, criticalMs: 5000 }),
  text_to_speech: Object.freeze({ warningMs: 1500, criticalMs: 3000 }),
  crm_api: Object.freeze({ warningMs: 1000, criticalMs: 3000 }),
  rag_inference: Object.freeze({ warningMs: 3000, criticalMs: 8000 }),
});

/** The seed's default `LATENCY_METRICS_FILE_PATH`. */
export const DEFAULT_METRICS_FILE = 'outputs/logs/latency_metrics.jsonl';

/** What `latencyConfigFromEnv` reads: spread it into `new LatencyTracker({ ...config, registry })`. */
export interface LatencyConfig {
  readonly enabled: boolean;
  readonly thresholds: Readonly<Record<string, LatencyThreshold>>;
  readonly logThresholds: boolean;
  /** Present when `LATENCY_FILE_LOGGING_ENABLED` is true. */
  readonly file?: { readonly path: string };
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Environment prefixes per operation type; the seed says SALESFORCE, a generic CRM may say CRM. */
const PREFIXES: ReadonlyArray<readonly [type: string, prefixes: readonly string[]]> = [
  ['speech_to_text', ['LATENCY_STT']],
  ['text_to_speech', ['LATENCY_TTS']],
  ['crm_api', ['LATENCY_SALESFORCE', 'LATENCY_CRM']],
  ['rag_inference', ['LATENCY_RAG']],
];

/**
 * The callbot seed's variables, read and validated at once: a bad value throws `VIGIL_INVALID_OPTION`
 * naming the variable, its value and what was expected, so a typo stops start-up instead of silently
 * leaving a default in place. An empty value counts as unset, as `.env` templates leave them.
 */
export function latencyConfigFromEnv(env: Env = process.env): LatencyConfig {
  const thresholds: Record<string, LatencyThreshold> = {};
  for (const [type, prefixes] of PREFIXES) {
    const fallback = DEFAULT_THRESHOLDS[type]!;
    const warning = oneOf(env, prefixes, '_WARNING_MS');
    const critical = oneOf(env, prefixes, '_CRITICAL_MS');
    const warningMs = warning ? milliseconds(warning) : fallback.warningMs;
    const criticalMs = critical ? milliseconds(critical) : fallback.criticalMs;
    if (warningMs > criticalMs) {
      if (warning) {
        const limit = critical ? critical[0] : `the default critical threshold`;
        throw invalidOption(warning[0], warning[1], `at most ${limit} (${criticalMs})`);
      }
      throw invalidOption(
        critical![0],
        critical![1],
        `at least the default warning threshold (${warningMs})`,
      );
    }
    thresholds[type] = Object.freeze({ warningMs, criticalMs });
  }
  const fileLogging = flag(env, 'LATENCY_FILE_LOGGING_ENABLED', false);
  const path = present(env, 'LATENCY_METRICS_FILE_PATH') ?? DEFAULT_METRICS_FILE;
  const config: LatencyConfig = {
    enabled: flag(env, 'LATENCY_TRACKING_ENABLED', true),
    thresholds: Object.freeze(thresholds),
    logThresholds: flag(env, 'LATENCY_LOGGING_ENABLED', false),
    ...(fileLogging ? { file: Object.freeze({ path }) } : {}),
  };
  return Object.freeze(config);
}

/** Checks a threshold given in code; `option` names it in the error. */
export function checkThreshold(option: string, value: unknown): LatencyThreshold {
  const t = value as Partial<LatencyThreshold> | null;
  const ok = (ms: unknown) => typeof ms === 'number' && ms > 0 && Number.isFinite(ms);
  if (typeof t !== 'object' || t === null || !ok(t.warningMs) || !ok(t.criticalMs)) {
    throw invalidOption(option, value, '{ warningMs, criticalMs } with finite milliseconds > 0');
  }
  if (t.warningMs! > t.criticalMs!) {
    throw invalidOption(`${option}.warningMs`, t.warningMs, `at most criticalMs = ${t.criticalMs}`);
  }
  return Object.freeze({ warningMs: t.warningMs!, criticalMs: t.criticalMs! });
}

function present(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** The one set variable among `PREFIX + suffix`; two set to different values is an error. */
function oneOf(
  env: Env,
  prefixes: readonly string[],
  suffix: string,
): [name: string, value: string] | undefined {
  let found: [string, string] | undefined;
  for (const prefix of prefixes) {
    const name = prefix + suffix;
    const value = present(env, name);
    if (value === undefined) continue;
    if (found && found[1] !== value) {
      throw invalidOption(
        name,
        value,
        `the same value as ${found[0]} (${JSON.stringify(found[1])}), or only one of them`,
      );
    }
    found ??= [name, value];
  }
  return found;
}

function milliseconds([name, value]: [string, string]): number {
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!(ms > 0) || !Number.isFinite(ms)) throw invalidOption(name, value, 'a number of milliseconds > 0');
  return ms;
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

function flag(env: Env, name: string, fallback: boolean): boolean {
  const value = present(env, name);
  if (value === undefined) return fallback;
  const lower = value.toLowerCase();
  if (TRUE.has(lower)) return true;
  if (FALSE.has(lower)) return false;
  throw invalidOption(name, value, 'true or false (also 1/0, yes/no, on/off)');
}
