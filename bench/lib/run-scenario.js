/**
 * Runs one benchmark scenario in a process of its own and collects its final `RESULT {json}` line;
 * every other line of its standard output goes to `log`.
 *
 * The scenario leads a process group of its own (the daemons it starts are in it), and the run ends
 * when the scenario exits, not when its output closes: a daemon left behind, or one a killed scenario
 * could not stop, keeps the pipe open for ever, which made `bench/run.js` hang. Once the scenario has
 * exited, or past `timeoutMs`, what is left of its group is killed; its output is read to the end,
 * or for at most GRACE_MS when something outside the group still holds it.
 */
import { spawn } from 'node:child_process';

const GRACE_MS = 5000;

export function runScenario(file, { timeoutMs, log = console.log }) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    const killGroup = () => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group has no process left
      }
    };
    // Ctrl-C reaches run.js only: the scenario's group is no longer in the terminal's.
    const interrupted = (signal) => {
      killGroup();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    let result;
    let pending = '';
    const take = (line) => {
      if (line.startsWith('RESULT ')) result = JSON.parse(line.slice('RESULT '.length));
      else log(line);
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) take(line);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', interrupted);
      killGroup();
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(grace);
        child.stdout.destroy();
        if (pending !== '') take(pending);
        const seconds = (Date.now() - started) / 1000;
        const how = timedOut ? `killed after ${timeoutMs / 1000} s` : `exit ${code ?? signal}`;
        const error = code === 0 && result ? undefined : `${how}${result ? '' : ', no RESULT line'}`;
        resolve({ seconds, result, error });
      };
      const grace = setTimeout(finish, GRACE_MS);
      if (child.stdout.readableEnded || child.stdout.destroyed) finish();
      else child.stdout.once('close', finish);
    });
  });
}
