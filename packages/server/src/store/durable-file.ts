import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

/**
 * Replaces `path` with `content` so that a crash or kill -9 at any moment leaves either the old
 * complete file or the new one: write a temporary file beside it, fsync it, rename it over `path`,
 * fsync the directory (without that last step the rename itself may be lost on power failure).
 *
 * `content` may be a sequence of parts, written one after the other, so state larger than one
 * JavaScript string (about 512 MiB) can be saved without ever joining it. Throws what the file system
 * throws (ENOSPC on a full disk); the previous file is then untouched.
 */
export function writeFileDurably(
  path: string,
  content: string | Uint8Array | Iterable<string | Uint8Array>,
): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    if (typeof content === 'string' || content instanceof Uint8Array) writeAll(fd, content);
    else for (const part of content) writeAll(fd, part);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    // A half-written temporary file would hold disk space that a full disk needs back.
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temporary, path);
  syncDirectory(dirname(path));
}

/** A state file's text, or undefined when there is none yet (a first start); other errors are thrown. */
export function readFileIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Makes a rename or a new file in `dir` durable. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, part: string | Uint8Array): void {
  // writeSync may write less than asked for a large buffer; a string is converted once.
  const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}
