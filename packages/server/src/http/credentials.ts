import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import bcrypt from 'bcryptjs';

/** Who may call the API: the bearer token, basic-auth users with bcrypt hashes, either, or anyone. */
export interface Credentials {
  /** Whether the request brings a valid credential; `queryToken` is for WebSockets, whose browser API cannot set headers. */
  check(req: IncomingMessage, queryToken?: string | null): Promise<boolean>;
  /** The WWW-Authenticate challenges of a 401: one per scheme accepted. */
  readonly challenges: readonly string[];
  /** What a 401 says is missing. */
  readonly missing: string;
}

/** Successful basic-auth checks remembered, so a client's every request does not pay for a bcrypt round. */
const REMEMBERED = 1000;

/**
 * Checks `Authorization: Bearer <token>` in constant time, and `Authorization: Basic` against the
 * users' bcrypt hashes. A bcrypt comparison costs about a third of a second at cost 10 (bcryptjs, no
 * native code), asynchronously; a success is remembered by a hash of the user, password and bcrypt
 * hash, as exporter-toolkit caches it, and an unknown user is compared against a hash too so that
 * the answer's timing does not tell which users exist. Without a token and without users every
 * request passes.
 */
export function credentials(
  token: string | undefined,
  basicAuthUsers: ReadonlyMap<string, string> = new Map(),
): Credentials {
  const challenges = [
    ...(token === undefined ? [] : ['Bearer realm="vigil"']),
    ...(basicAuthUsers.size === 0 ? [] : ['Basic realm="vigil", charset="UTF-8"']),
  ];
  const missing = [
    ...(token === undefined ? [] : ['a bearer token (Authorization: Bearer <token>)']),
    ...(basicAuthUsers.size === 0 ? [] : ['a user and password (Authorization: Basic)']),
  ].join(' or ');
  if (challenges.length === 0) return { check: async () => true, challenges, missing };

  const expected = token === undefined ? undefined : Buffer.from(`Bearer ${token}`);
  const sameToken = (given: Buffer) =>
    expected !== undefined && given.length === expected.length && timingSafeEqual(given, expected);
  const remembered = new Set<string>();
  const decoy = basicAuthUsers.values().next().value;

  const basic = async (header: string): Promise<boolean> => {
    if (decoy === undefined || !/^basic /i.test(header)) return false;
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const hash = basicAuthUsers.get(user);
    const key = createHash('sha256')
      .update(`${user}\0${password}\0${hash ?? ''}`)
      .digest('hex');
    if (hash !== undefined && remembered.has(key)) return true;
    const ok = await bcrypt.compare(password, hash ?? decoy);
    if (!ok || hash === undefined) return false;
    if (remembered.size >= REMEMBERED) remembered.clear();
    remembered.add(key);
    return true;
  };

  return {
    challenges,
    missing,
    async check(req, queryToken) {
      const header = req.headers.authorization ?? '';
      if (sameToken(Buffer.from(header))) return true;
      if (typeof queryToken === 'string' && sameToken(Buffer.from(`Bearer ${queryToken}`))) return true;
      return basic(header);
    },
  };
}
