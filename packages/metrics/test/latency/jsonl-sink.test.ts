import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/base/clock.js';
import { JsonlSink } from '../../src/latency/jsonl-sink.js';

const work = mkdtempSync(join(tmpdir(), 'vigil-jsonl-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let files = 0;
const fresh = () => join(work, `case-${files++}`, 'metrics.jsonl');

function lines(path: string): unknown[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

describe('JsonlSink', () => {
  it('appends one JSON value per line; a resolved flush means they are in the file', async () => {
    const path = fresh();
    const sink = new JsonlSink({ path });
    expect(sink.write({ a: 1, text: 'line\nbreak "quoted"' })).toBe(true);
    expect(sink.write([1, 2])).toBe(true);
    expect(sink.write('ünïcödé 🚀')).toBe(true);
    await sink.flush();
    expect(lines(path)).toEqual([{ a: 1, text: 'line\nbreak "quoted"' }, [1, 2], 'ünïcödé 🚀']);
    expect(sink.stats()).toEqual({
      written: 3,
      dropped: 0,
      invalid: 0,
      failed: 0,
      queuedBytes: 0,
      rotations: 0,
    });
    await sink.close();
  });

  it('rotates by size to file.1 … file.<keep>, never splitting a line, and deletes older files', async () => {
    const path = fresh();
    const sink = new JsonlSink({ path, maxBytes: 100, keep: 2 });
    const line = { n: 0, pad: 'x'.repeat(20) }; // 36 bytes with the newline: two lines fit in 100
    for (let n = 0; n < 9; n++) sink.write({ ...line, n });
    await sink.close();
    expect(
      [path, `${path}.1`, `${path}.2`].map((p) => (lines(p) as Array<{ n: number }>).map((l) => l.n)),
    ).toEqual([[8], [6, 7], [4, 5]]);
    expect(existsSync(`${path}.3`)).toBe(false);
    for (const p of [path, `${path}.1`, `${path}.2`]) expect(statSync(p).size).toBeLessThanOrEqual(100);
    expect(sink.stats().rotations).toBe(4);
  });

  it('rotates by age on the injected clock', async () => {
    const clock = new ManualClock(1_000_000);
    const path = fresh();
    const sink = new JsonlSink({ path, maxAgeMs: 60_000, clock });
    sink.write({ n: 1 });
    await sink.flush();
    clock.advance(59_999);
    sink.write({ n: 2 });
    await sink.flush();
    clock.advance(1);
    sink.write({ n: 3 });
    await sink.close();
    expect(lines(`${path}.1`)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(lines(path)).toEqual([{ n: 3 }]);
  });

  it('drops and counts lines past the queue bound instead of growing, and refuses what it cannot serialise', async () => {
    const path = fresh();
    const sink = new JsonlSink({ path, maxQueueBytes: 1000 });
    let accepted = 0;
    for (let n = 0; n < 100; n++) if (sink.write({ n, pad: 'y'.repeat(80) })) accepted++;
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(sink.write(cyclic)).toBe(false);
    expect(sink.write(10n)).toBe(false);
    expect(sink.write(undefined)).toBe(false);
    expect(sink.stats().queuedBytes).toBeLessThanOrEqual(1000);
    await sink.close();
    expect(accepted).toBe(10);
    expect(sink.stats()).toMatchObject({ written: 10, dropped: 90, invalid: 3 });
    expect(lines(path)).toHaveLength(10);
  });

  it('loses nothing on close, then refuses further lines', async () => {
    const path = fresh();
    const sink = new JsonlSink({ path });
    for (let n = 0; n < 1000; n++) sink.write({ n });
    await sink.close();
    await sink.close();
    expect(sink.write({ n: 'late' })).toBe(false);
    await sink.flush();
    expect(lines(path)).toHaveLength(1000);
    expect(sink.stats()).toMatchObject({ written: 1000, dropped: 1 });
  });

  it('starts on a fresh line after a partial line left by a killed process', async () => {
    const path = fresh();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, '{"n":1}\n{"n":2,"cut');
    const sink = new JsonlSink({ path });
    sink.write({ n: 3 });
    await sink.close();
    expect(readFileSync(path, 'utf8')).toBe('{"n":1}\n{"n":2,"cut\n{"n":3}\n');
  });

  it('rejects flush when lines were lost to an I/O error, counts them, and warns', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const path = join(work, 'a-directory');
    mkdirSync(path);
    const sink = new JsonlSink({ path });
    try {
      sink.write({ n: 1 });
      await expect(sink.flush()).rejects.toThrow(/EISDIR|illegal operation/);
      expect(sink.stats().failed).toBe(1);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('JsonlSink'), { code: 'VIGIL_DROPPED' });
      await sink.flush();
    } finally {
      warn.mockRestore();
    }
  });

  it('refuses bad options by name', () => {
    expect(() => new JsonlSink({ path: '' })).toThrow('path: got "", expected a file path');
    expect(() => new JsonlSink({ path: 'x', maxBytes: -1 })).toThrow(
      'maxBytes: got -1, expected an integer >= 0',
    );
    expect(() => new JsonlSink({ path: 'x', keep: 1.5 })).toThrow('keep: got 1.5');
  });
});

/**
 * The child runs the sink's own source, transpiled here with the TypeScript compiler (Node 20
 * cannot load .ts), so the test needs no build and tests the current code.
 */
function compileSink(dir: string): string {
  const src = join(import.meta.dirname, '../../src');
  for (const file of ['base/clock.ts', 'base/errors.ts', 'latency/jsonl-sink.ts']) {
    const out = ts.transpileModule(readFileSync(join(src, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    const target = join(dir, file.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, out.outputText);
  }
  const child = join(dir, 'writer.mjs');
  writeFileSync(
    child,
    `import { JsonlSink } from './latency/jsonl-sink.js';
const sink = new JsonlSink({ path: process.argv[2], maxBytes: 0 });
let seq = 0;
function burst() {
  for (let i = 0; i < 50; i++, seq++) {
    if (!sink.write({ seq, pad: 'z'.repeat(200) })) process.stdout.write('DROP ' + seq + '\\n');
  }
  const target = seq;
  sink.flush().then(() => process.stdout.write('ACK ' + target + '\\n'));
  setImmediate(burst);
}
burst();
`,
  );
  return child;
}

describe('JsonlSink under SIGKILL', () => {
  it('keeps every acknowledged line complete and parseable', { timeout: 30_000 }, async () => {
    const dir = join(work, 'child');
    const child = compileSink(dir);
    const path = join(dir, 'out', 'metrics.jsonl');
    const proc = spawn(process.execPath, [child, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    let acked = 0;
    const dropped = new Set<number>();
    let pending = '';
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop()!;
      for (const line of parts) {
        const [word, n] = line.split(' ');
        if (word === 'ACK') acked = Math.max(acked, Number(n));
        if (word === 'DROP') dropped.add(Number(n));
        if (acked >= 3000 && proc.exitCode === null && !proc.killed) proc.kill('SIGKILL');
      }
    });
    const signal = await new Promise((resolve) => proc.on('close', (_code, sig) => resolve(sig)));
    expect(signal).toBe('SIGKILL');
    expect(acked).toBeGreaterThanOrEqual(3000);

    const text = readFileSync(path, 'utf8');
    const rows = text.split('\n');
    const last = rows.pop()!;
    // Only an unacknowledged line may be cut short, and only the last one.
    const seqs = rows.map((row) => (JSON.parse(row) as { seq: number }).seq);
    if (last !== '') expect(() => JSON.parse(last)).toThrow();
    expect(seqs.length).toBeGreaterThanOrEqual(acked - dropped.size);
    const present = new Set(seqs);
    const missing: number[] = [];
    for (let s = 0; s < acked; s++) if (!dropped.has(s) && !present.has(s)) missing.push(s);
    expect(missing).toEqual([]);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });
});
