import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate } from 'node:zlib';
import { HttpError } from './http-error.js';

/**
 * The request body, decompressed (gzip, deflate), refused with 413 past `limit` bytes before more is
 * read: a 100 MB body costs the server `limit` bytes, not 100 MB. Snappy (remote write) is decoded by
 * its route, since the block format needs the whole body.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  let source: AsyncIterable<Buffer> = req;
  if (encoding === 'gzip') source = req.pipe(createGunzip());
  else if (encoding === 'deflate') source = req.pipe(createInflate());
  else if (encoding !== 'identity' && encoding !== 'snappy') {
    throw new HttpError(
      415,
      'unsupported_encoding',
      `Content-Encoding ${encoding} is not supported (gzip, deflate, snappy)`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of source) {
      size += chunk.length;
      if (size > limit) {
        req.destroy();
        throw tooLarge(limit);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, 'bad_body', `could not read the request body: ${(error as Error).message}`);
  }
  return Buffer.concat(chunks, size);
}

function tooLarge(limit: number): HttpError {
  return new HttpError(
    413,
    'body_too_large',
    `request body is larger than the limit of ${limit} bytes (limits.bodyBytes)`,
  );
}
