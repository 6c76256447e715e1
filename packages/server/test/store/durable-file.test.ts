import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readFileIfPresent, writeFileDurably } from '../../src/store/durable-file.js';

describe('writeFileDurably', () => {
  const dirs: string[] = [];
  const newDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-durable-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('reads a state file back, undefined before there is one, and throws what else goes wrong', () => {
    const dir = newDir();
    expect(readFileIfPresent(join(dir, 'state.json'))).toBeUndefined();
    writeFileDurably(join(dir, 'state.json'), '{"version":1}');
    expect(readFileIfPresent(join(dir, 'state.json'))).toBe('{"version":1}');
    expect(() => readFileIfPresent(dir)).toThrow(/EISDIR/);
  });

  it('replaces the file with a string, bytes, or parts written in order, creating the folder', () => {
    const path = join(newDir(), 'state', 'file.json');
    writeFileDurably(path, '{"a":1}');
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}');
    writeFileDurably(path, new TextEncoder().encode('bytes é'));
    expect(readFileSync(path, 'utf8')).toBe('bytes é');
    writeFileDurably(path, ['line 1\n', new TextEncoder().encode('line 2\n'), 'line 3\n']);
    expect(readFileSync(path, 'utf8')).toBe('line 1\nline 2\nline 3\n');
  });

  it('leaves the previous file whole and no temporary file when writing fails midway', () => {
    const dir = newDir();
    const path = join(dir, 'file.json');
    writeFileSync(path, 'previous');
    function* failing() {
      yield 'half of the new ';
      throw new Error('ENOSPC: no space left on device');
    }
    expect(() => writeFileDurably(path, failing())).toThrow('ENOSPC');
    expect(readFileSync(path, 'utf8')).toBe('previous');
    expect(readdirSync(dir)).toEqual(['file.json']);
  });
});
