import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SERVER_ERRORS, type ServerErrorCode } from '../../src/errors/catalogue.js';
import { ServerError } from '../../src/errors/server-error.js';
import { sendError } from '../../src/http/respond.js';

const root = join(import.meta.dirname, '../../../..');
const src = join(root, 'packages/server/src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The rows of docs/errors.md's server table: code, status, type, when. */
function documentedRows(): Map<string, string[]> {
  const text = readFileSync(join(root, 'docs/errors.md'), 'utf8');
  const section = text.slice(text.indexOf('## `@vigil/server`'));
  const rows = new Map<string, string[]>();
  for (const m of section.matchAll(/^\| `(VIGIL_[A-Z_]+)` \| (.*) \|$/gm))
    rows.set(m[1]!, m[2]!.split(' | '));
  return rows;
}

describe('the server error catalogue', () => {
  it('has every code thrown somewhere outside the catalogue', () => {
    const used = new Set(
      files(src)
        .filter((f) => relative(src, f) !== 'errors/catalogue.ts')
        .flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/'(VIGIL_[A-Z_]+)'/g)].map((m) => m[1]!)),
    );
    const unused = Object.keys(SERVER_ERRORS).filter((code) => !used.has(code));
    expect(unused, 'codes in the catalogue that nothing throws').toEqual([]);
  });

  it('documents every code in docs/errors.md with its status, type and meaning, and no other', () => {
    const rows = documentedRows();
    for (const [code, e] of Object.entries(SERVER_ERRORS))
      expect(rows.get(code), `${code} in docs/errors.md`).toEqual([
        String(e.status),
        `\`${e.type}\``,
        e.when,
      ]);
    expect([...rows.keys()].filter((code) => !(code in SERVER_ERRORS))).toEqual([]);
  });

  it('answers client errors 4xx and the server’s own failures 5xx', () => {
    for (const [code, e] of Object.entries(SERVER_ERRORS)) {
      const serverSide = e.type === 'internal' || e.type === 'timeout' || e.type === 'unavailable';
      expect(e.status >= 500, code).toBe(serverSide);
    }
  });

  it('gives each error its code, status, type and cause', () => {
    const cause = new Error('disk');
    const error = new ServerError('VIGIL_REMOTE_QUEUE_FULL', 'queue full', { cause });
    expect(error).toMatchObject({ code: 'VIGIL_REMOTE_QUEUE_FULL', status: 503, type: 'unavailable', cause });
    expect(error).toBeInstanceOf(Error);
  });
});

describe('sendError, the one place errors become HTTP answers', () => {
  let server: Server;
  let url: string;
  let next: { error: unknown; envelope: 'prometheus' | 'vigil' };

  beforeAll(async () => {
    server = createServer((_req, res) => sendError(res, next.error, next.envelope));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function answer(error: unknown, envelope: 'prometheus' | 'vigil') {
    next = { error, envelope };
    const res = await fetch(url);
    return { status: res.status, body: await res.json() };
  }

  it('answers a ServerError with its catalogue entry, in either envelope', async () => {
    const code: ServerErrorCode = 'VIGIL_QUERY_TOO_MANY_SAMPLES';
    expect(await answer(new ServerError(code, 'too many samples'), 'prometheus')).toEqual({
      status: 422,
      body: { status: 'error', errorType: 'execution', error: 'too many samples' },
    });
    expect(await answer(new ServerError('VIGIL_NOT_FOUND', 'no route for /x'), 'vigil')).toEqual({
      status: 404,
      body: { error: { code: 'not_found', message: 'no route for /x' } },
    });
  });

  it('answers anything else as a 500 that says it is the server’s fault, and logs it', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const bug = new TypeError("Cannot read properties of undefined (reading 'labels')");
      const { status, body } = await answer(bug, 'prometheus');
      expect(status).toBe(500);
      expect(body).toMatchObject({ status: 'error', errorType: 'internal' });
      expect(body.error).toMatch(/internal error.*bug in vigil/);
      expect(body.error).not.toContain('labels');
      // The log has the stack, any URL in it redacted.
      expect(log).toHaveBeenCalledWith(
        expect.stringMatching(
          /failed: TypeError: Cannot read properties of undefined \(reading 'labels'\)\n\s+at /,
        ),
      );
    } finally {
      log.mockRestore();
    }
  });
});
