import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test/support/free-port.js';

/**
 * `vigil serve` as a real process, started over a broken input: it must exit non-zero at once,
 * name the broken file, and leave the StatsD port free (everything it had opened released).
 */
const main = join(import.meta.dirname, '../../dist/cli/main.js');
const root = mkdtempSync(join(tmpdir(), 'vigil-failed-start-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function start(dir: string, listenPort: number, env: Record<string, string> = {}) {
  const statsdPort = await freePort();
  const child = spawn(
    process.execPath,
    [
      main,
      'serve',
      '--listen',
      `127.0.0.1:${listenPort}`,
      '--data',
      join(dir, 'data'),
      '--statsd',
      `127.0.0.1:${statsdPort}`,
    ],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  const began = Date.now();
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(null);
    }, 10_000);
    child.once('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  return { code, output, seconds: (Date.now() - began) / 1000, statsdPort };
}

async function udpPortFree(port: number): Promise<boolean> {
  const socket = createSocket('udp4');
  return new Promise((resolve) => {
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

function dataDir(name: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'data'), { recursive: true });
  return dir;
}

describe('vigil serve fails fast and clearly', () => {
  const cases: Array<{
    what: string;
    prepare: (dir: string) => Record<string, string>;
    names: (dir: string) => string;
  }> = [
    {
      what: 'a broken rule file',
      prepare: (dir) => {
        const file = join(dir, 'rules.yml');
        writeFileSync(
          file,
          'groups:\n  - name: broken\n    rules:\n      - alert: Broken\n        expr: sum(rate(x[5m]) by (job)\n',
        );
        return { VIGIL_RULE_FILES: file };
      },
      names: (dir) => `${join(dir, 'rules.yml')}:5:`,
    },
    {
      what: 'a corrupt alerts.db',
      prepare: (dir) => {
        writeFileSync(join(dir, 'data/alerts.db'), 'this is not an SQLite database'.repeat(200));
        return {};
      },
      names: (dir) => join(dir, 'data/alerts.db'),
    },
    {
      what: 'a corrupt silences.json',
      prepare: (dir) => {
        writeFileSync(join(dir, 'data/silences.json'), '{"version":1,"silences":[{"id":');
        return {};
      },
      names: (dir) => join(dir, 'data/silences.json'),
    },
    {
      what: 'a corrupt vigil.db',
      prepare: (dir) => {
        writeFileSync(join(dir, 'data/vigil.db'), Buffer.alloc(65536, 7));
        return {};
      },
      names: (dir) => join(dir, 'data/vigil.db'),
    },
  ];
  for (const c of cases) {
    it(`exits non-zero on ${c.what}, names the file and frees the StatsD port`, async () => {
      const dir = dataDir(c.what.replaceAll(/\W/g, '-'));
      const env = c.prepare(dir);
      const result = await start(dir, await freePort(), env);
      expect(result.code, result.output).not.toBe(null);
      expect(result.code).not.toBe(0);
      expect(result.output).toContain(c.names(dir));
      expect(await udpPortFree(result.statsdPort)).toBe(true);
    }, 20_000);
  }

  it('exits non-zero when the HTTP port is taken, after releasing the StatsD socket and the store', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const { port } = taken.address() as { port: number };
    try {
      const result = await start(dataDir('port-taken'), port);
      expect(result.code, result.output).not.toBe(null);
      expect(result.code).not.toBe(0);
      expect(result.output).toContain(`127.0.0.1:${port} is already in use`);
      expect(await udpPortFree(result.statsdPort)).toBe(true);
    } finally {
      await new Promise<void>((r) => taken.close(() => r()));
    }
  }, 20_000);
});
