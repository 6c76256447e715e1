import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';
import { answers, type PeerProcess, startPeer } from './peer-process.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const packs = join(root, 'packs');

/** The README's library example: the first js block after "Instrument your app". */
function readmeExample(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Instrument your app'));
  const block = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README.md has no js block under "Instrument your app"');
  return block;
}

/**
 * `npm run pack`'s tarballs installed into an empty project, as a user outside this repository would:
 * the README's library example runs there, CommonJS code can require() the library, and the
 * installed `vigil serve` serves the dashboard and scrapes the example.
 */
describe('the packed tarballs, installed into an empty project', () => {
  const app = mkdtempSync(join(tmpdir(), 'vigil-pack-'));
  const running: PeerProcess[] = [];

  beforeAll(async () => {
    rmSync(packs, { recursive: true, force: true });
    await run(process.execPath, [join(root, 'scripts/pack.mjs')], { cwd: root });
    const tarballs = readdirSync(packs).map((f) => join(packs, f));
    expect(tarballs.map((t) => t.replace(/.*\//, '')).sort()).toEqual([
      expect.stringMatching(/^vigil-metrics-.*\.tgz$/),
      expect.stringMatching(/^vigil-server-.*\.tgz$/),
    ]);
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'app', version: '1.0.0', private: true }),
    );
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs], { cwd: app });
  }, 600_000);

  afterAll(async () => {
    for (const p of running) await p.stop();
    rmSync(app, { recursive: true, force: true });
  });

  it('ships the library with its README, LICENSE, types, and no source map pointing at a missing file', () => {
    const lib = join(app, 'node_modules/@vigil/metrics');
    for (const file of ['README.md', 'LICENSE', 'dist/index.d.ts'])
      expect(statSync(join(lib, file)).isFile()).toBe(true);
    const dangling: string[] = [];
    const maps = (dir: string): string[] =>
      readdirSync(dir).flatMap((n) => {
        const p = join(dir, n);
        return statSync(p).isDirectory() ? maps(p) : p.endsWith('.map') ? [p] : [];
      });
    for (const map of maps(join(lib, 'dist'))) {
      for (const source of JSON.parse(readFileSync(map, 'utf8')).sources as string[]) {
        const target = join(map, '..', source);
        try {
          statSync(target);
        } catch {
          dangling.push(`${map} → ${source}`);
        }
      }
    }
    expect(dangling).toEqual([]);
  });

  it('loads from CommonJS with require()', async () => {
    writeFileSync(
      join(app, 'cjs.cjs'),
      "const { Registry, toPrometheusText } = require('@vigil/metrics');\nconst r = new Registry();\nr.counter({ name: 'cjs_total', help: 'x' }).inc();\nconsole.log(toPrometheusText(r.snapshotSync()));\n",
    );
    const { stdout } = await run(process.execPath, ['cjs.cjs'], { cwd: app });
    expect(stdout).toContain('cjs_total 1');
  });

  it('runs the README example, and the installed `vigil serve` serves the dashboard and scrapes it', async () => {
    const appPort = await freePort();
    writeFileSync(join(app, 'example.mjs'), readmeExample().replace('9464', String(appPort)));
    running.push(
      await startPeer(process.execPath, [join(app, 'example.mjs')], () =>
        answers(`http://127.0.0.1:${appPort}/metrics`),
      ),
    );
    const port = await freePort();
    const vigil = join(app, 'node_modules/.bin/vigil');
    const args = ['serve', '--listen', `127.0.0.1:${port}`, '--data', join(app, 'data'), '--statsd', 'off'];
    const url = `http://127.0.0.1:${port}`;
    running.push(
      await startPeer(
        process.execPath,
        [vigil, ...args, '--scrape', `http://127.0.0.1:${appPort}/metrics`],
        () => answers(`${url}/-/ready`),
        60_000,
      ),
    );
    const page = await (await fetch(`${url}/`)).text();
    expect(page).toContain('<script');
    expect(page).not.toMatch(/not been built/i);
    // The scrape of the example reaches the store.
    const deadline = Date.now() + 60_000;
    let result: unknown[] = [];
    while (result.length === 0 && Date.now() < deadline) {
      const body = (await (await fetch(`${url}/api/v1/query?query=app_started_total`)).json()) as {
        data: { result: unknown[] };
      };
      result = body.data.result;
      if (result.length === 0) await new Promise((r) => setTimeout(r, 250));
    }
    expect(result).toHaveLength(1);
  }, 180_000);
});
