import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScenario } from '../bench/lib/run-scenario.js';
import { until } from './support/until.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A scenario that starts a daemon which inherits its standard output (as a vigil or Prometheus
 * started by a benchmark does), says the daemon's PID, and then finishes or hangs.
 */
function scenario(name: string, end: string): string {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(
    file,
    [
      "import { spawn } from 'node:child_process';",
      "const daemon = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'inherit' });",
      "console.log('DAEMON ' + daemon.pid);",
      end,
    ].join('\n'),
  );
  return file;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function run(file: string, timeoutMs: number) {
  const lines: string[] = [];
  const outcome = await runScenario(file, { timeoutMs, log: (line: string) => lines.push(line) });
  const daemon = Number(lines.find((l) => l.startsWith('DAEMON '))?.slice(7));
  return { ...outcome, daemon };
}

describe('bench/run.js runs a scenario', () => {
  it('returns once the scenario exits, though a daemon it left behind holds its output, and stops the daemon', async () => {
    const { result, error, daemon, seconds } = await run(
      scenario('finishes', "console.log('RESULT ' + JSON.stringify({ ops: 42 })); process.exit(0);"),
      60_000,
    );
    expect(result).toEqual({ ops: 42 });
    expect(error).toBeUndefined();
    expect(seconds).toBeLessThan(30);
    await until('the daemon left behind is stopped', () => !alive(daemon));
  });

  it('kills a scenario past its time limit, with the daemons it started, and says so', async () => {
    const { result, error, daemon } = await run(scenario('hangs', 'setInterval(() => {}, 1000);'), 1000);
    expect(result).toBeUndefined();
    expect(error).toBe('killed after 1 s, no RESULT line');
    await until('the hung scenario’s daemon is stopped', () => !alive(daemon));
  });
});
