import type Database from 'better-sqlite3';
import type { Pacer } from './pacer.js';

/**
 * Runs `each` on every item of `items` in transactions that end when `pacer` says its slice is over,
 * handing the event loop back in between: retention's deletions over 52,500 series in one
 * transaction held it for 210 ms. Each item's work is whole in one transaction; `each` returns its
 * weight for the Pacer (the statements it ran). A live collection may change in between (a Map's
 * iterator skips what was deleted and visits what was added). `committed` runs after each slice's
 * commit and before the pause, for what memory must agree on with the database before other work
 * sees either (never after a slice that rolled back: the error is thrown).
 */
export async function pacedTransactions<T>(
  db: Database.Database,
  items: Iterable<T>,
  pacer: Pacer,
  each: (item: T) => number,
  committed?: () => void,
): Promise<void> {
  const iterator = items[Symbol.iterator]();
  let done = false;
  const slice = db.transaction(() => {
    for (;;) {
      const next = iterator.next();
      if (next.done) {
        done = true;
        return;
      }
      if (pacer.due(each(next.value))) return;
    }
  });
  for (;;) {
    slice();
    committed?.();
    if (done) return;
    await pacer.pause();
  }
}
