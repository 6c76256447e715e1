import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '@vigil/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';
import { dashboardAnswers } from '../../src/http/dashboard-routes.js';
import { Router } from '../../src/http/router.js';
import { scriptJson } from '../../src/http/script-json.js';
import { assetPath, staticFiles } from '../../src/http/static-files.js';

const DIST = new URL('../../../dashboard/dist/', import.meta.url);
const TOKEN = 'a-token-of-twenty-characters';

/** A raw GET, so `..` and encoded slashes reach the server as written (fetch would normalise them). */
function get(base: string, path: string, headers: Record<string, string> = {}) {
  const { hostname, port } = new URL(base);
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
  }>((resolve, reject) => {
    const req = request({ hostname, port, path, headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

interface ServedDashboards {
  readonly server: RunningServer;
  /** The folder of user dashboards (VIGIL_DASHBOARDS). */
  readonly dir: string;
  close(): Promise<void>;
}

/** `vigil serve` with a folder of user dashboards holding `files` (name to text). */
async function serveDashboards(files: Record<string, string>): Promise<ServedDashboards> {
  const data = mkdtempSync(join(tmpdir(), 'vigil-dash-'));
  const dir = mkdtempSync(join(tmpdir(), 'vigil-dashboards-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const config = loadConfig({ listen: '127.0.0.1:0', data, statsd: 'off' }, { VIGIL_DASHBOARDS: dir });
  const server = await serve(config, new ManualClock(1_700_000_000_000));
  return {
    server,
    dir,
    async close() {
      await server.close();
      rmSync(data, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('the dashboard at /', () => {
  let server: RunningServer;
  let data: string;

  beforeAll(async () => {
    data = mkdtempSync(join(tmpdir(), 'vigil-static-'));
    const config = loadConfig({ listen: '127.0.0.1:0', data, statsd: 'off' }, { VIGIL_TOKEN: TOKEN });
    server = await serve(config, new ManualClock(1_700_000_000_000));
  });
  afterAll(async () => {
    await server.close();
    rmSync(data, { recursive: true, force: true });
  });

  it('serves the built page without the token, revalidated on every load', async () => {
    const res = await get(server.url, '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toBe(readFileSync(new URL('index.html', DIST), 'utf8'));
    // `/` answers without the token, so it must not carry what the API keeps behind it.
    expect(res.body).not.toContain('id="vigil-preloaded"');
  });

  it('serves the hashed bundle and stylesheet with their types, cached for a year', async () => {
    const page = (await get(server.url, '/')).body;
    const js = /src="(assets\/app-[0-9A-Za-z]+\.js)"/.exec(page)?.[1];
    const css = /href="(assets\/app-[0-9A-Za-z]+\.css)"/.exec(page)?.[1];
    expect(js && css).toBeTruthy();
    const script = await get(server.url, `/${js}`);
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const style = await get(server.url, `/${css}`);
    expect(style.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('never serves a file outside the assets folder', async () => {
    for (const path of [
      '/assets/../../package.json',
      '/assets/..%2f..%2fpackage.json',
      '/assets/%2e%2e/index.html',
      '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      '/assets/..%5c..%5cpackage.json',
      '/assets/%00.js',
      '/assets/',
      '/assets/%2fetc%2fpasswd',
      '/assets/nothing-here.js',
    ]) {
      const res = await get(server.url, path);
      // 401 where URL parsing folds the `..` away first (`/package.json` is an API path: token needed).
      expect([401, 404], path).toContain(res.status);
      expect(res.body, path).not.toContain('"name"');
    }
  });

  it('keeps the API behind the token while the page is open', async () => {
    expect((await get(server.url, '/api/dashboards')).status).toBe(401);
    const res = await get(server.url, '/api/dashboards', { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
    const ids = (JSON.parse(res.body) as { dashboards: { id: string }[] }).dashboards.map((d) => d.id);
    expect(ids).toEqual(['overview', 'sessions', 'health', 'cost']);
  });
});

describe('assetPath', () => {
  it('resolves names inside root/assets and refuses every way out', () => {
    expect(assetPath('/srv/dist', 'app-1.js')).toBe('/srv/dist/assets/app-1.js');
    expect(assetPath('/srv/dist', 'fonts/a.svg')).toBe('/srv/dist/assets/fonts/a.svg');
    for (const rest of [
      '..',
      '../index.html',
      '..%2findex.html',
      'a/../../x',
      '%5c..',
      'a%00',
      '',
      'a//b',
      '%E0%A4%A',
    ])
      expect(assetPath('/srv/dist', rest), rest).toBeUndefined();
  });
});

describe('a dashboard that was not built', () => {
  let server: Server;
  let url: string;
  const empty = mkdtempSync(join(tmpdir(), 'vigil-nodist-'));

  beforeAll(async () => {
    const router = new Router();
    staticFiles(router, { dir: empty });
    server = createServer((req, res) => {
      const { handler, params } = router.match(
        req.method ?? 'GET',
        new URL(req.url ?? '/', 'http://x').pathname,
      );
      if (!handler) return res.writeHead(404).end();
      void handler({ req, res, url: new URL(req.url ?? '/', 'http://x'), params });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => {
    server.close();
    rmSync(empty, { recursive: true, force: true });
  });

  it('answers / with a 404 page that says how to build it', async () => {
    const res = await get(url, '/');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('The dashboard has not been built');
    expect(res.body).toContain('npm run build');
  });
});

describe('dashboard files', () => {
  let served: ServedDashboards;
  let server: RunningServer;
  let dir: string;

  beforeAll(async () => {
    served = await serveDashboards({
      'queues.yaml':
        'title: Queues\norder: 10\npanels:\n  - type: stat\n    title: Depth\n    queries: [{ expr: sum(queue_depth) }]\n',
      'overview.json': JSON.stringify({
        title: 'My overview',
        panels: [{ type: 'stat', title: 'Up', queries: [{ expr: 'up' }] }],
      }),
    });
    ({ server, dir } = served);
  });
  afterAll(() => served.close());

  it('serves the user folder next to the built-in dashboards, a user file replacing the built-in of its id', async () => {
    const list = (await (await fetch(`${server.url}/api/dashboards`)).json()) as {
      dashboards: { id: string; title: string }[];
    };
    expect(list.dashboards.map((d) => `${d.id}:${d.title}`)).toEqual([
      'sessions:Sessions',
      'health:Health',
      'cost:Cost',
      'queues:Queues',
      'overview:My overview',
    ]);
    const queues = (await (await fetch(`${server.url}/api/dashboards/queues`)).json()) as {
      panels: { width: number; unit: string }[];
    };
    expect(queues.panels[0]).toMatchObject({ width: 6, unit: 'short' });
    expect((await fetch(`${server.url}/api/dashboards/nope`)).status).toBe(404);
  });

  it('names the file, the key and what was expected when a file goes bad while running', async () => {
    writeFileSync(
      join(dir, 'broken.json'),
      JSON.stringify({ title: 'B', panels: [{ type: 'pie', title: 'x', queries: [{ expr: 'up' }] }] }),
    );
    const res = await fetch(`${server.url}/api/dashboards/broken`);
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toContain('broken.json: panels[0].type: got "pie"');
    expect(body.error.message).toContain('"timeseries"');
    const list = (await (await fetch(`${server.url}/api/dashboards`)).json()) as { errors: { id: string }[] };
    expect(list.errors.map((e) => e.id)).toEqual(['broken']);
  });

  it('says which forecast a forecast panel lacks, and refuses one elsewhere or over part-days', async () => {
    const forecast = { type: 'forecast', title: 'f', queries: [{ expr: 'disk_free_bytes' }] };
    const cases: [object, string, string][] = [
      [forecast, 'forecast', 'a forecast panel needs "forecast": month-end or run-out'],
      [
        { ...forecast, type: 'stat', forecast: 'run-out' },
        'forecast',
        'only a forecast panel has "forecast"',
      ],
      [
        { ...forecast, forecast: 'run-out', window: '12h' },
        'window',
        'a run-out forecast averages whole days: expected 28d or 4w',
      ],
    ];
    for (const [i, [panel, key, reason]] of cases.entries()) {
      writeFileSync(join(dir, `forecast${i}.json`), JSON.stringify({ title: 'F', panels: [panel] }));
      const res = await fetch(`${server.url}/api/dashboards/forecast${i}`);
      expect(res.status).toBe(422);
      const message = ((await res.json()) as { error: { message: string } }).error.message;
      expect(message).toContain(`forecast${i}.json: panels[0].${key}:`);
      expect(message).toContain(reason);
    }
    writeFileSync(
      join(dir, 'forecast-ok.json'),
      JSON.stringify({ title: 'F', panels: [{ ...forecast, forecast: 'run-out', window: '4w' }] }),
    );
    expect((await fetch(`${server.url}/api/dashboards/forecast-ok`)).status).toBe(200);
    // The folder is shared with the other tests here: leave it as it was.
    for (const name of ['forecast0', 'forecast1', 'forecast2', 'forecast-ok'])
      rmSync(join(dir, `${name}.json`));
  });

  it('stops start-up on a broken dashboard file, naming it', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'vigil-bad-'));
    const data = mkdtempSync(join(tmpdir(), 'vigil-bad-data-'));
    writeFileSync(
      join(bad, 'table.json'),
      JSON.stringify({ title: 'T', panels: [{ type: 'table', title: 't' }] }),
    );
    const config = loadConfig({ listen: '127.0.0.1:0', data, statsd: 'off' }, { VIGIL_DASHBOARDS: bad });
    await expect(serve(config)).rejects.toThrow(/table\.json: panels\[0\]\.key: .*a table needs "key"/);
    rmSync(bad, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  });
});

describe('the first answers the page carries', () => {
  let served: ServedDashboards;
  let server: RunningServer;
  const HOSTILE = '</script><script>window.pwned = 1</script><!-- & \u2028';

  beforeAll(async () => {
    served = await serveDashboards({
      'hostile.json': JSON.stringify({
        title: HOSTILE,
        panels: [{ type: 'stat', title: HOSTILE, queries: [{ expr: 'up' }] }],
      }),
    });
    ({ server } = served);
  });
  afterAll(() => served.close());

  it('writes the answers of GET /api/dashboards and of each definition into the page, as the API gives them', async () => {
    const page = (await get(server.url, '/')).body;
    const text = /<script type="application\/json" id="vigil-preloaded">(.*?)<\/script>/s.exec(page)?.[1];
    expect(text).toBeDefined();
    const answers = JSON.parse(text!) as Record<string, unknown>;
    const list = (await (await fetch(`${server.url}/api/dashboards`)).json()) as {
      dashboards: { id: string }[];
    };
    expect(answers['/api/dashboards']).toEqual(list);
    expect(Object.keys(answers)).toEqual([
      '/api/dashboards',
      ...list.dashboards.map((d) => `/api/dashboards/${d.id}`),
    ]);
    for (const { id } of list.dashboards) {
      const definition = await (await fetch(`${server.url}/api/dashboards/${id}`)).json();
      expect(answers[`/api/dashboards/${id}`], id).toEqual(definition);
    }
  });

  it('keeps a title that closes the script element inside it, as text', async () => {
    const page = (await get(server.url, '/')).body;
    expect(page).not.toContain('<script>window.pwned');
    expect(page).not.toContain('<!-- &');
    const text = /<script type="application\/json" id="vigil-preloaded">(.*?)<\/script>/s.exec(page)?.[1];
    const answers = JSON.parse(text!) as Record<string, { title?: string }>;
    expect(answers['/api/dashboards/hostile']?.title).toBe(HOSTILE);
  });

  it('carries the list and only the definitions that fit in its budget', () => {
    const dirs = [fileURLToPath(new URL('../../../dashboard/dashboards/', import.meta.url))];
    const all = dashboardAnswers(dirs);
    expect(Object.keys(all)).toHaveLength(5);
    const listOnly = JSON.stringify({ '/api/dashboards': all['/api/dashboards'] }).length;
    expect(Object.keys(dashboardAnswers(dirs, listOnly))).toEqual(['/api/dashboards']);
    const first = Object.keys(all)[1]!;
    const one = JSON.stringify(all[first]).length + first.length + 4;
    expect(Object.keys(dashboardAnswers(dirs, listOnly + one))).toEqual(['/api/dashboards', first]);
  });
});

describe('scriptJson', () => {
  it('writes no character that could end or change a script element, and reads back the same', () => {
    const value = { a: '</script>', b: '<!--', c: 'x & y > z', d: '\u2028\u2029', e: [1, null, true] };
    const text = scriptJson(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});
