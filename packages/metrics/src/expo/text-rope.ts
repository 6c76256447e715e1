/**
 * Exposition text appended line by line, the way V8 keeps it cheap. `a += b` makes a rope node
 * and copies nothing, but every node lives until the text is read: for 100,000 series that was
 * ~20 MB of nodes that the garbage collector copied through the young generation, two thirds of
 * the exposition's time (bench/exposition.js under `node --cpu-prof`). So past `ROPE_LINES` lines,
 * the rope is flattened into one string every `CHUNK_LINES` lines, and its nodes die young. Up to
 * 10,000 series, flattening measured as fast as the plain rope at best, 1.2-1.5× its CPU at worst,
 * so a text that short stays one rope. Writing bytes into a buffer instead allocated nothing per
 * line, but cost 4-7× the rope at 10,000 series: a string's characters cannot be copied out of it
 * faster than one `charCodeAt` at a time, or one native call.
 */
export class TextRope {
  #sealed = '';
  #open = '';
  #lines = 0;
  #flattenAt = ROPE_LINES;

  add(line: string): void {
    this.#open += line;
    if (++this.#lines === this.#flattenAt) {
      // charCodeAt flattens a rope in place (V8's String::Flatten); its nodes are garbage after.
      this.#open.charCodeAt(0);
      this.#sealed += this.#open;
      this.#open = '';
      this.#lines = 0;
      this.#flattenAt = CHUNK_LINES;
    }
  }

  text(): string {
    return this.#sealed + this.#open;
  }
}

const ROPE_LINES = 16_384;
/** ~55 KiB of counter lines. */
const CHUNK_LINES = 1024;
