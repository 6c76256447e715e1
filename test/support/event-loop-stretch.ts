import { existsSync, readFileSync } from 'node:fs';

const SCHEDSTAT = '/proc/thread-self/schedstat';

/** Whether `longestStretchWhile` can measure here: Linux with schedstat. */
export const canMeasureStretches = existsSync(SCHEDSTAT);

/** This thread's CPU time so far, in ms (Linux: the first field of schedstat, in ns). */
function threadCpuMs(): number {
  return Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) / 1e6;
}

/**
 * The longest stretch of this thread's own work between two turns of its event loop while `run`
 * runs, as CPU time and as wall time. A health check that arrives meanwhile waits at most for the
 * CPU stretch of work; the wall time adds what a machine shared with other processes keeps the
 * thread waiting for a core (on the project's two loaded cores, over 100 ms with no work of its own
 * in between), which is why tests bound the CPU stretch tightly and the wall one only loosely.
 */
export async function longestStretchWhile<T>(
  run: () => Promise<T>,
): Promise<{ result: T; cpuMs: number; wallMs: number }> {
  let cpuMs = 0;
  let wallMs = 0;
  let lastCpu = threadCpuMs();
  let lastWall = performance.now();
  const look = () => {
    const cpu = threadCpuMs();
    const wall = performance.now();
    cpuMs = Math.max(cpuMs, cpu - lastCpu);
    wallMs = Math.max(wallMs, wall - lastWall);
    lastCpu = cpu;
    lastWall = wall;
  };
  const timer = setInterval(look, 1);
  try {
    const result = await run();
    // The stretch since the last turn counts too: all of it, when `run` never let the loop turn.
    look();
    return { result, cpuMs, wallMs };
  } finally {
    clearInterval(timer);
  }
}
