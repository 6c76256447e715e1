/** Whether a provider's key is set and looks like one; never the key, nor its length or prefix. */
export interface ApiKeyStatus {
  /** The variable read, e.g. `OPENAI_API_KEY`. */
  readonly envVar: string;
  readonly configured: boolean;
  /** Matches the provider's documented key shape (or, for an unknown provider, a plausible token). */
  readonly validFormat: boolean;
}

/**
 * Key shapes from the providers' documentation. Deliberately loose on length: providers lengthen
 * keys (OpenAI's `sk-proj-`, Anthropic's `sk-ant-api03-`), and a false "invalid" is worse than a
 * missed typo.
 */
const FORMATS: Readonly<Record<string, RegExp>> = {
  openai: /^sk-[A-Za-z0-9_-]{20,}$/,
  anthropic: /^sk-ant-[A-Za-z0-9_-]{20,}$/,
  gemini: /^AIza[A-Za-z0-9_-]{30,}$/,
  google: /^AIza[A-Za-z0-9_-]{30,}$/,
  mistral: /^[A-Za-z0-9]{32}$/,
  grok: /^xai-[A-Za-z0-9]{20,}$/,
  xai: /^xai-[A-Za-z0-9]{20,}$/,
  groq: /^gsk_[A-Za-z0-9]{20,}$/,
  deepseek: /^sk-[A-Za-z0-9]{20,}$/,
  qwen: /^sk-[A-Za-z0-9]{20,}$/,
  kimi: /^sk-[A-Za-z0-9]{20,}$/,
  kimi_k2: /^sk-[A-Za-z0-9]{20,}$/,
  moonshot: /^sk-[A-Za-z0-9]{20,}$/,
};
const PLAUSIBLE = /^[\x21-\x7e]{16,}$/;
const PLACEHOLDER = /your|xxxx|change.?me|placeholder|example|replace|<|>|\.\.\./i;

/** `OPENAI_API_KEY` for `openai`, `KIMI_K2_API_KEY` for `kimi_k2`, `GCP_GEMINI_API_KEY` for `gcp.gemini`. */
export function apiKeyEnvVar(provider: string): string {
  return `${provider.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_API_KEY`;
}

export function apiKeyStatus(
  provider: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
  envVar: string = apiKeyEnvVar(provider),
  format: RegExp | undefined = FORMATS[provider.toLowerCase()],
): ApiKeyStatus {
  const key = env[envVar]?.trim();
  const configured = key !== undefined && key !== '';
  // `search` rather than `test`: a caller's /g pattern would otherwise carry `lastIndex` between calls.
  const validFormat = configured && key.search(PLACEHOLDER) === -1 && key.search(format ?? PLAUSIBLE) !== -1;
  return { envVar, configured, validFormat };
}
