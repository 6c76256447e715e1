import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test/support/free-port.js';
import { until } from '../../../../test/support/until.js';

/** `vigil serve` as a real process: SIGHUP reloads the rule files; a broken one is refused and the rules stay. */
const main = join(import.meta.dirname, '../../dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'vigil-sighup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rule = (name: string, expr: string) =>
  `groups:\n  - name: g\n    rules:\n      - alert: ${name}\n        expr: ${expr}\n`;

describe('vigil serve and SIGHUP', () => {
  it('reloads the rule files on SIGHUP and keeps the running rules when the new file is broken', async () => {
    const file = join(dir, 'rules.yml');
    writeFileSync(file, rule('First', 'up == 0'));
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [main, 'serve', '--listen', `127.0.0.1:${port}`, '--data', join(dir, 'data'), '--statsd', 'off'],
      { env: { ...process.env, VIGIL_RULE_FILES: file }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    const names = async () => {
      const body = (await (await fetch(`http://127.0.0.1:${port}/api/rules`)).json()) as {
        data: { groups: { rules: { name: string }[] }[] };
      };
      return body.data.groups.flatMap((g) => g.rules.map((r) => r.name));
    };
    const waitFor = (what: string, probe: () => Promise<boolean>) =>
      until(what, probe, { intervalMs: 50, context: () => output });
    try {
      await waitFor('vigil serve ready', async () => (await fetch(`http://127.0.0.1:${port}/-/ready`)).ok);
      expect(await names()).toEqual(['First']);

      writeFileSync(file, rule('Second', 'up == 0'));
      child.kill('SIGHUP');
      await waitFor('the reloaded rule', async () => (await names())[0] === 'Second');

      writeFileSync(file, rule('Third', 'up =='));
      child.kill('SIGHUP');
      await waitFor('the broken file refused', async () => output.includes('reload refused'));
      expect(output).toContain(`${file}:5: could not parse expression`);
      expect(await names()).toEqual(['Second']);
      expect(child.exitCode).toBe(null);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }, 90_000);
});
