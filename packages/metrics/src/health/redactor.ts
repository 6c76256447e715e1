/** Shortest run of a secret's characters that counts as leaking it. */
const GRAM = 4;
/** Values shorter than this (`1`, `true`) are settings, not secrets. */
const MIN_SECRET = 8;
/**
 * Runs of the characters API keys and tokens are made of; a masked echo (`sk-ab***yz`) and a JWT
 * (`a.b.c`) stay one run, a sentence's final dot does not join it.
 */
const TOKEN = /[\w\-~+/=*]+(?:\.[\w\-~+/=*]+)*/g;
/** Environment variables whose values are secrets by their name. */
const SECRET_NAME = /(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$/i;

export const REDACTED = '[redacted]';

/**
 * Removes secrets from text that leaves the process (check errors, details). Not only whole keys:
 * providers echo parts of a rejected key (OpenAI's "Incorrect API key provided: sk-proj-ab**…yz12"),
 * so any run of key-like characters that shares 4 consecutive characters with a secret is replaced.
 */
export class Redactor {
  readonly #grams = new Set<string>();

  constructor(secrets: Iterable<string | undefined> = []) {
    for (const secret of secrets) this.add(secret);
  }

  /** Every value of an environment variable named like a secret (`*_API_KEY`, `*_TOKEN`, ...). */
  static fromEnv(env: Readonly<Record<string, string | undefined>>): Redactor {
    return new Redactor(Object.keys(env).flatMap((name) => (SECRET_NAME.test(name) ? [env[name]] : [])));
  }

  add(secret: string | undefined): void {
    if (typeof secret !== 'string') return;
    const value = secret.trim();
    if (value.length < MIN_SECRET) return;
    for (let i = 0; i + GRAM <= value.length; i++) this.#grams.add(value.slice(i, i + GRAM));
  }

  redact(text: string): string {
    if (this.#grams.size === 0) return text;
    return text.replace(TOKEN, (run) => (this.#leaks(run) ? REDACTED : run));
  }

  #leaks(run: string): boolean {
    for (let i = 0; i + GRAM <= run.length; i++) if (this.#grams.has(run.slice(i, i + GRAM))) return true;
    return false;
  }
}
