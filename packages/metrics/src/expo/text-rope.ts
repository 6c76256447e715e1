/**
 * Exposition text appended line by line, the way V8 keeps it cheap. `a += b` makes a rope node
 * and copies nothing, but every node lives until the text is read: for 100,000 series that was
 * ~20 MB of nodes that the garbage collector copied through the young generation, two thirds of
 * the exposition's time (bench/exposition.js under `node --cpu-prof`). So once the open rope holds
 * `CHUNK_CHARS`, it is flattened into one string, and its nodes die young. Writing bytes into a
 * buffer instead allocated nothing per line, but cost 4-7× the rope at 10,000 series: a string's
 * characters cannot be copied out of it faster than one `charCodeAt` at a time, or one native call.
 */
export class TextRope {
  #sealed = '';
  #open = '';

  add(line: string): void {
    this.#open += line;
    if (this.#open.length >= CHUNK_CHARS) {
      // charCodeAt flattens a rope in place (V8's String::Flatten); its nodes are garbage after.
      this.#open.charCodeAt(0);
      this.#sealed += this.#open;
      this.#open = '';
    }
  }

  text(): string {
    return this.#sealed + this.#open;
  }
}

/**
 * 128 KiB: a flat string this long is made in V8's large-object space, which the young
 * generation's collections never copy (kMaxRegularHeapObjectSize). 1,000 counter series (~55 KiB)
 * stay one rope, as cheap as before.
 */
const CHUNK_CHARS = 1 << 17;
