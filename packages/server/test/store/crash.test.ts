import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
// @ts-expect-error a plain ESM module shared with the child process, without types
import { SERIES, STEP_MS, valueAt } from './fixtures/crash-data.mjs';

const child = fileURLToPath(new URL('./fixtures/crash-child.mjs', import.meta.url));
const dist = fileURLToPath(new URL('../../dist/store/sqlite-store.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'vigil-crash-'));
const T0 = Date.now() - 3_600_000;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the child until `killAfterMs` past its first ACK, SIGKILLs it, returns its start and last ACK. */
function runAndKill(killAfterMs: number): Promise<{ start: number; acked: number; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, dir, String(T0)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let start = -1;
    let acked = -1;
    let out = '';
    let err = '';
    proc.stderr.on('data', (d) => (err += d));
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => {
      out += chunk;
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const line of lines) {
        const [word, n] = line.split(' ');
        if (word === 'START') start = Number(n);
        if (word === 'ACK') {
          if (acked < 0) setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
          acked = Number(n);
        }
      }
    });
    proc.on('error', reject);
    proc.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`the child exited on its own: ${err}`));
      else resolve({ start, acked, signal });
    });
  });
}

describe('SqliteStore under kill -9', () => {
  it('reopens intact with every acknowledged sample after SIGKILL during heavy ingest', {
    timeout: 120_000,
  }, async () => {
    expect(existsSync(dist), `${dist} is missing: run \`npx tsc -b packages/server\` first`).toBe(true);
    let stored = 0;
    for (const killAfterMs of [120, 650, 1300, 333]) {
      const { start, acked } = await runAndKill(killAfterMs);
      // the child resumes right after what survived the previous kill
      expect(start).toBe(stored);
      expect(acked).toBeGreaterThan(start);

      const db = new Database(join(dir, 'vigil.db'));
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();

      const store = await openSqliteStore({ dir });
      const data = await store.select([{ name: 'job', type: '=', value: 'crash' }], T0, T0 + 1e9);
      expect(data).toHaveLength(SERIES);
      // A flush commits a slice of series at a time: a kill between two slices leaves some series
      // ahead of others, never one behind what was acknowledged.
      let survived = Number.POSITIVE_INFINITY;
      let samples = 0;
      for (const series of data) {
        const i = Number(series.labels.__name__!.slice('crash_'.length));
        const n = series.timestamps.length;
        // every acknowledged step is there, and what is there is an unbroken run from step 0
        expect(n - 1).toBeGreaterThanOrEqual(acked);
        survived = Math.min(survived, n - 1);
        samples += n;
        const times = new Float64Array(n);
        const want = new Float64Array(n);
        for (let k = 0; k < n; k++) {
          times[k] = T0 + k * STEP_MS;
          want[k] = valueAt(i, k);
        }
        expect(Buffer.from(series.timestamps.buffer).equals(Buffer.from(times.buffer))).toBe(true);
        expect(Buffer.from(series.values.buffer).equals(Buffer.from(want.buffer))).toBe(true);
      }
      expect((await store.stats()).samples).toBe(samples);
      await store.close();
      stored = survived + 1;
    }
  });
});
