import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Checks `Authorization: Bearer <token>` in constant time; without a configured token every request
 * passes. `queryToken` is for WebSockets, whose browser API cannot set headers.
 */
export function bearerAuth(
  token: string | undefined,
): (req: IncomingMessage, queryToken?: string | null) => boolean {
  if (token === undefined) return () => true;
  const expected = Buffer.from(`Bearer ${token}`);
  const same = (given: Buffer) => given.length === expected.length && timingSafeEqual(given, expected);
  return (req, queryToken) =>
    same(Buffer.from(req.headers.authorization ?? '')) ||
    (typeof queryToken === 'string' && same(Buffer.from(`Bearer ${queryToken}`)));
}
