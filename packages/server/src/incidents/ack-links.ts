import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Signed, expiring acknowledge links: `<external URL>/ack/<id>?expires=<s>&signature=<hmac>`, HMAC-SHA256
 * over the id and expiry with a key kept in the data directory (created on first use, mode 0600), so
 * links sent before a restart still work and nobody can forge one for another incident or time.
 */
export class AckLinks {
  readonly #key: Buffer;

  constructor(keyFile: string) {
    let key: Buffer;
    try {
      key = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'hex');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new Error(`${keyFile}: cannot read the acknowledge-link key: ${(error as Error).message}`);
      key = randomBytes(32);
      writeFileSync(keyFile, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    }
    if (key.length < 32) throw new Error(`${keyFile}: the acknowledge-link key is shorter than 32 bytes`);
    this.#key = key;
  }

  /** The link's path and query (the caller puts the external URL in front). */
  path(id: string, expiresMs: number): string {
    const expires = Math.floor(expiresMs / 1000);
    return `/ack/${encodeURIComponent(id)}?expires=${expires}&signature=${this.#sign(id, expires)}`;
  }

  /** Why a link does not acknowledge `id` now, or undefined when it does. */
  refuse(id: string, expires: string | null, signature: string | null, nowMs: number): string | undefined {
    if (expires === null || signature === null || !/^\d{1,12}$/.test(expires))
      return 'the link is incomplete';
    const want = Buffer.from(this.#sign(id, Number(expires)));
    const got = Buffer.from(signature);
    if (got.length !== want.length || !timingSafeEqual(got, want)) return 'the link signature is not valid';
    if (Number(expires) * 1000 < nowMs) return 'the link has expired';
    return undefined;
  }

  #sign(id: string, expires: number): string {
    return createHmac('sha256', this.#key).update(`${id}\n${expires}`).digest('base64url');
  }
}
