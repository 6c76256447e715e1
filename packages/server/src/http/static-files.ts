import { readFile, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { HttpError } from './http-error.js';
import type { Router } from './router.js';
import { scriptJson } from './script-json.js';

export interface StaticFilesOptions {
  /** The dashboard's built folder (`packages/dashboard/dist`); undefined when it cannot be found. */
  readonly dir: string | undefined;
  /**
   * Answers to API GETs by path, which index.html carries where the build marked PRELOADED, so the
   * page reads them instead of asking (the dashboard's src/boot.ts). `/` answers without the token,
   * so a server with one must not pass this.
   */
  readonly preloaded?: () => Record<string, unknown>;
}

/** Where the built index.html takes the preloaded answers, ahead of the script that reads them. */
const PRELOADED = '<!--vigil:preloaded-->';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Asset names carry a content hash (build.mjs), so they never change under the same URL. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The web dashboard at `/` and its assets under `/assets/`. The page names its bundle by hash, so
 * index.html is revalidated on every load (`no-cache`) while the assets are cached for a year.
 * Without a build, `/` answers a 404 page that says how to build it.
 */
export function staticFiles(router: Router, { dir, preloaded }: StaticFilesOptions): void {
  const root = dir === undefined ? undefined : resolve(dir);

  router.on('GET', '/', async ({ res }) => {
    if (root === undefined) return notBuilt(res, 'the dashboard package was not found');
    let body: Buffer;
    try {
      body = await readFile(join(root, 'index.html'));
    } catch {
      return notBuilt(res, `${join(root, 'index.html')} does not exist`);
    }
    if (preloaded) {
      const answers = `<script type="application/json" id="vigil-preloaded">${scriptJson(preloaded())}</script>`;
      body = Buffer.from(body.toString('utf8').replace(PRELOADED, () => answers));
    }
    send(res, '.html', body, 'no-cache');
  });

  router.on('GET', '/assets/*', async ({ res, params }) => {
    const file = root === undefined ? undefined : assetPath(root, params['*'] ?? '');
    if (file === undefined) throw new HttpError('VIGIL_NOT_FOUND', 'no such dashboard asset');
    const type = TYPES[extname(file)];
    if (type === undefined) throw new HttpError('VIGIL_NOT_FOUND', 'no such dashboard asset');
    let body: Buffer;
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      body = await readFile(file);
    } catch {
      throw new HttpError('VIGIL_NOT_FOUND', 'no such dashboard asset');
    }
    send(res, extname(file), body, IMMUTABLE);
  });
}

/**
 * The file an asset path names inside `root/assets`, or undefined when it would leave that folder:
 * `..` segments, encoded slashes or backslashes, NUL bytes and absolute paths are all refused before
 * the file system is asked, and the resolved path is checked to stay under the folder.
 */
export function assetPath(root: string, rest: string): string | undefined {
  const base = join(root, 'assets');
  const parts: string[] = [];
  for (const raw of rest.split('/')) {
    let part: string;
    try {
      part = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (part === '' || part === '.' || part === '..' || /[/\\\0]/.test(part)) return undefined;
    parts.push(part);
  }
  if (parts.length === 0) return undefined;
  const file = resolve(base, ...parts);
  return file.startsWith(base + sep) ? file : undefined;
}

function send(res: ServerResponse, ext: string, body: Buffer, cache: string): void {
  res.writeHead(200, {
    'content-type': TYPES[ext] ?? 'application/octet-stream',
    'content-length': body.length,
    'cache-control': cache,
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

function notBuilt(res: ServerResponse, why: string): void {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>vigil: dashboard not built</title></head>
<body style="font-family:sans-serif;max-width:40em;margin:4em auto">
<h1>The dashboard has not been built</h1>
<p>vigil is running, and its API answers under <code>/api/</code> and <code>/metrics</code>, but the web
dashboard's files are missing (${why.replace(/[<>&"]/g, '')}).</p>
<p>Build it with <code>npm run build</code> at the root of the vigil repository, then reload this page.</p>
</body></html>
`;
  res.writeHead(404, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-cache',
  });
  res.end(body);
}
