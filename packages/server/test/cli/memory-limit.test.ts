import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test/support/free-port.js';
import { encodeRemoteWrite } from '../../src/ingest/remote-write.js';

const vigil = join(import.meta.dirname, '../../bin/vigil.js');
const dir = mkdtempSync(join(tmpdir(), 'vigil-memory-limit-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const MiB = 1024 * 1024;
const LIMIT = 256 * MiB;
/** What docs/memory.md states: resident memory stays under 1.5 × memory.limit + 64 MiB. */
const CEILING = 1.5 * LIMIT + 64 * MiB;

/** The server's process: the child the `vigil` command started Node again in, with the heap flag. */
function serverPid(commandPid: number): number {
  const children = readFileSync(`/proc/${commandPid}/task/${commandPid}/children`, 'utf8').trim();
  return Number(children.split(' ')[0]);
}

const rss = (pid: number) =>
  Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

describe.skipIf(!existsSync('/proc/self/status'))('vigil serve --memory-limit', () => {
  it('refuses series with 3,000-character labels past the series budget with 429, stays up under its ceiling, and keeps serving what it stored', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(
      process.execPath,
      [
        vigil,
        'serve',
        '--listen',
        `127.0.0.1:${port}`,
        '--data',
        dir,
        '--statsd',
        'off',
        '--memory-limit',
        '256MiB',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    for (let i = 0; i < 300 && !output.includes('serving on'); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(output).toContain('serving on');

    const pid = serverPid(child.pid!);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain('--max-old-space-size=256');

    const now = Date.now();
    const filler = 'x'.repeat(3000);
    let accepted = 0;
    let refusal: { status: number; body: { errorType: string; error: string } } | undefined;
    let peak = 0;
    for (let batch = 0; batch < 200 && refusal === undefined; batch++) {
      const series = Array.from({ length: 500 }, (_, i) => ({
        labels: { __name__: 'long_labels', id: String(batch * 500 + i), path: `${batch}-${i}-${filler}` },
        timestamps: [now],
        values: Float64Array.of(1),
      }));
      const res = await fetch(`${url}/api/v1/write`, {
        method: 'POST',
        headers: { 'content-encoding': 'snappy', 'content-type': 'application/x-protobuf' },
        body: encodeRemoteWrite(series),
      });
      if (res.status === 204) accepted += 500;
      else refusal = { status: res.status, body: (await res.json()) as { errorType: string; error: string } };
      peak = Math.max(peak, rss(pid));
    }
    expect(refusal?.status).toBe(429);
    expect(refusal?.body.errorType).toBe('series_limit');
    expect(refusal?.body.error).toMatch(/samples refused \(memory_limit: \d+\)/);
    // 40% of 256 MiB at about 7,100 bytes a series.
    expect(accepted).toBeGreaterThan(10_000);
    expect(accepted).toBeLessThan(20_000);

    // Still refused, still up, and what was stored answers.
    const again = await fetch(`${url}/api/v1/write`, {
      method: 'POST',
      headers: { 'content-encoding': 'snappy', 'content-type': 'application/x-protobuf' },
      body: encodeRemoteWrite([
        {
          labels: { __name__: 'long_labels', id: 'new', path: filler },
          timestamps: [now],
          values: Float64Array.of(1),
        },
      ]),
    });
    expect(again.status).toBe(429);
    expect((await fetch(`${url}/-/healthy`)).status).toBe(200);
    const count = await fetch(`${url}/api/v1/query?query=${encodeURIComponent('count(long_labels)')}`);
    const result = ((await count.json()) as { data: { result: { value: [number, string] }[] } }).data.result;
    expect(Number(result[0]!.value[1])).toBeGreaterThanOrEqual(accepted);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^vigil_memory_limit_bytes 268435456$/m);
    expect(metrics).toMatch(
      /^vigil_ingest_rejected_samples_total\{source="remote_write",reason="memory_limit"\} \d+$/m,
    );

    peak = Math.max(peak, rss(pid));
    console.log(`memory-limit test: ${accepted} series stored, peak RSS ${Math.round(peak / MiB)} MiB`);
    expect(peak).toBeLessThan(CEILING);

    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(0);
  }, 180_000);
});
