import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
/** The committed bin file npm links as `vigil`, which loads the built CLI. */
const vigil = join(import.meta.dirname, '../../bin/vigil.js');

describe('vigil COMMAND --help', () => {
  it.each([
    ['serve', '--listen HOST:PORT'],
    ['demo', '--backfill DURATION'],
    ['top', '--url URL'],
    ['check', '--expand'],
    ['notify', 'RECEIVER'],
    ['report', '--period DURATION'],
    ['status', 'vigil status post SLUG'],
    ['version', 'Prints the version'],
  ])('vigil %s --help prints that command’s options and exits 0', async (command, option) => {
    const { stdout, stderr } = await run(process.execPath, [vigil, command, '--help']);
    expect(stdout).toContain(`vigil ${command}`);
    expect(stdout).toContain(option);
    expect(stderr).toBe('');
  });

  it('vigil --help lists every command', async () => {
    const { stdout } = await run(process.execPath, [vigil, '--help']);
    for (const command of [
      'serve',
      'demo',
      'top',
      'check rules',
      'report',
      'notify test',
      'status post',
      'version',
    ])
      expect(stdout).toContain(`vigil ${command}`);
  });
});
