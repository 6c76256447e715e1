import type { Pacer } from './pacer.js';

/** Items sorted at once, in one slice: a few milliseconds of comparisons at most. */
const RUN = 1024;

/**
 * `items` in the order of `compare`, stable, as `Array.prototype.sort` gives it, without holding the
 * event loop: runs of RUN items are sorted at once, then merged pairwise, pausing whenever `pacer`
 * says so. Sorting 300,000 series by labels in one call held the event loop for about a second.
 * Returns `items` itself (sorted in place) or a new array.
 */
export async function pacedSort<T>(items: T[], compare: (a: T, b: T) => number, pacer: Pacer): Promise<T[]> {
  const n = items.length;
  if (n <= RUN) return items.sort(compare);
  for (let lo = 0; lo < n; lo += RUN) {
    const run = items.slice(lo, lo + RUN).sort(compare);
    for (let k = 0; k < run.length; k++) items[lo + k] = run[k]!;
    if (pacer.due(run.length)) await pacer.pause();
  }
  let from = items;
  let to = new Array<T>(n);
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        // The left run's item first unless the right one is strictly smaller: what keeps it stable.
        to[k++] = compare(from[j]!, from[i]!) < 0 ? from[j++]! : from[i++]!;
        if (pacer.due()) await pacer.pause();
      }
      while (i < mid) to[k++] = from[i++]!;
      while (j < hi) to[k++] = from[j++]!;
    }
    [from, to] = [to, from];
  }
  return from;
}
