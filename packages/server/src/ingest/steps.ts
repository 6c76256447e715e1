/**
 * A parser written once as a generator that yields between slices of a few ms of work, run either
 * to the end in one go (tests, the sender side) or handing the event loop back at every yield (what
 * the server runs, so that one large body does not hold every other request up).
 */
export type Steps<T> = Generator<void, T, undefined>;

export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

export async function runStepsPaced<T>(steps: Steps<T>): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
