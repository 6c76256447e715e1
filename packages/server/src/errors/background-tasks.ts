import { type Counter, type Registry, redactUrls } from '@vigil/metrics';

/** How often one task's repeated failure is logged again while it lasts. */
const RELOG_MS = 60_000;

interface Owner {
  counter: Counter | undefined;
  log: (line: string) => void;
  /** Per task: the message last logged and when. */
  readonly logged: Map<string, { message: string; at: number }>;
}

const owner: Owner = { counter: undefined, log: (line) => console.error(line), logged: new Map() };

/**
 * The owner of every background task (a timer's callback, a promise nobody awaits): its failure is
 * logged (when it starts, then once a minute while the same message repeats), counted in
 * `vigil_background_errors_total{task}`, and the task simply runs again at its next tick. Without
 * one, an exception thrown from a timer ends the process.
 */
export function background(task: string, work: () => unknown): void {
  try {
    const result = work();
    if (result instanceof Promise) result.catch((error: unknown) => backgroundFailed(task, error));
  } catch (error) {
    backgroundFailed(task, error);
  }
}

/** Reports a background task's failure; for the callers that catch it themselves. */
export function backgroundFailed(task: string, error: unknown): void {
  owner.counter?.inc({ task });
  const message = redactUrls(error instanceof Error ? error.message : String(error));
  const now = Date.now();
  const last = owner.logged.get(task);
  if (last && last.message === message && now - last.at < RELOG_MS) return;
  owner.logged.set(task, { message, at: now });
  owner.log(`vigil: ${task} failed, retried at its next run: ${message}`);
}

/** Counts background failures in `registry` from now on (the composition root calls it once). */
export function countBackgroundFailures(registry: Registry): void {
  owner.counter = registry.counter({
    name: 'vigil_background_errors_total',
    help: 'Failures of background tasks (saves of state files, flushes, upkeep), by task; each is retried.',
    labelNames: ['task'],
  });
}
