import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import { HttpError } from './http-error.js';

/**
 * The request body, decompressed (gzip, deflate: zlib-wrapped or raw, as clients send both), refused
 * with 413 as soon as it passes `limit`
 * bytes: a 100 MB body costs the server `limit` bytes of memory, not 100 MB. Snappy (remote write) is decoded by
 * its route, since the block format needs the whole body.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    discardRest(req);
    throw tooLarge(limit);
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  let source: NodeJS.ReadableStream = req;
  if (encoding === 'gzip') source = req.pipe(createGunzip());
  else if (encoding === 'deflate') source = inflate(req);
  else if (encoding !== 'identity' && encoding !== 'snappy') {
    throw new HttpError(
      'VIGIL_UNSUPPORTED_ENCODING',
      `Content-Encoding ${encoding} is not supported (gzip, deflate, snappy)`,
    );
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      source.off('data', onData);
      if (source !== req) {
        req.unpipe();
        (source as unknown as { destroy(): void }).destroy();
      }
      discardRest(req);
      reject(tooLarge(limit));
    };
    source.on('data', onData);
    source.once('end', () => resolve(Buffer.concat(chunks, size)));
    source.once('error', (error: Error) => {
      // The answer goes out while the client may still be sending: read the rest, as for a 413.
      if (source !== req) req.unpipe();
      discardRest(req);
      reject(
        new HttpError('VIGIL_BAD_BODY', `could not read the request body: ${error.message}`, {
          cause: error,
        }),
      );
    });
  });
}

/**
 * `Content-Encoding: deflate` is zlib's format by the standard, but some clients send raw deflate:
 * the first two bytes tell which (a zlib header is a multiple of 31 with method 8).
 */
function inflate(req: IncomingMessage): NodeJS.ReadableStream {
  const out = new PassThrough();
  let started = false;
  req.once('data', (first: Buffer) => {
    started = true;
    const zlib = first.length >= 2 && (first[0]! & 0x0f) === 8 && ((first[0]! << 8) | first[1]!) % 31 === 0;
    const inflater = zlib ? createInflate() : createInflateRaw();
    inflater.on('error', (error) => out.destroy(error));
    out.once('close', () => inflater.destroy());
    inflater.pipe(out);
    inflater.write(first);
    req.pipe(inflater);
  });
  req.once('end', () => {
    if (!started) out.end();
  });
  return out;
}

/** What is read and thrown away of a body past the limit before the connection is closed. */
const DISCARD_BYTES = 128 * 1024 * 1024;

/**
 * The 413 goes out at once; the rest of the body is read and thrown away rather than the
 * connection closed, because a client still sending would get a reset instead of the answer (Node's
 * own client and fetch do). A client that sends far more than that is cut off.
 */
function discardRest(req: IncomingMessage): void {
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARD_BYTES) req.destroy();
  });
}

function tooLarge(limit: number): HttpError {
  return new HttpError(
    'VIGIL_BODY_TOO_LARGE',
    `request body is larger than the limit of ${limit} bytes (limits.bodyBytes)`,
  );
}
