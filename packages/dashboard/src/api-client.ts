import { ApiError } from './api-error.js';
import { takeEarly } from './early-requests.js';
import { withParams } from './request-path.js';
import { tokenStore } from './token-store.js';

/** Asks the user for a token (token-prompt.ts); resolves once one was entered. */
export type TokenPrompt = (reason: string) => Promise<string>;

interface ErrorBody {
  readonly status?: string;
  readonly errorType?: string;
  readonly error?: string | { code?: string; message?: string };
}

/**
 * JSON over fetch with the bearer token. A 401 asks for the token once (all calls waiting on the
 * same prompt), keeps it, and retries; errors become ApiError with the server's own message. A GET
 * that boot.ts already sent, and that succeeded, is answered from that response instead.
 */
export class ApiClient {
  readonly #prompt: TokenPrompt;
  #asking: Promise<string> | undefined;

  constructor(prompt: TokenPrompt) {
    this.#prompt = prompt;
  }

  get token(): string | undefined {
    return tokenStore.get();
  }

  async get<T>(path: string, params?: Record<string, string | number>): Promise<T> {
    return this.request<T>('GET', withParams(path, params));
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { accept: 'application/json' };
      const token = tokenStore.get();
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const early = method === 'GET' && attempt === 0 ? await takeEarly(path) : undefined;
      const res =
        early ??
        (await fetch(path, {
          method,
          headers,
          ...(body !== undefined && { body: JSON.stringify(body) }),
        }));
      if (res.status === 401 && attempt < 3) {
        await this.askToken(token ? 'The saved token was refused.' : 'This server needs a token.');
        continue;
      }
      const text = await res.text();
      let json: unknown;
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        throw new ApiError(res.status, 'bad_response', `${method} ${path}: not JSON (HTTP ${res.status})`);
      }
      if (!res.ok) throw errorOf(res.status, json as ErrorBody | undefined);
      return json as T;
    }
  }

  askToken(reason: string): Promise<string> {
    this.#asking ??= this.#prompt(reason).then(
      (token) => {
        tokenStore.set(token);
        this.#asking = undefined;
        return token;
      },
      (error: unknown) => {
        this.#asking = undefined;
        throw error;
      },
    );
    return this.#asking;
  }
}

function errorOf(status: number, body: ErrorBody | undefined): ApiError {
  if (body && typeof body.error === 'string') {
    return new ApiError(status, body.errorType ?? 'error', body.error);
  }
  if (body && typeof body.error === 'object') {
    return new ApiError(status, body.error.code ?? 'error', body.error.message ?? `HTTP ${status}`);
  }
  return new ApiError(status, 'error', `HTTP ${status}`);
}
