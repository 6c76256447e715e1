import { type BitReader, type BitWriter, bitLength, unzigzag, zigzag } from './bit-stream.js';

/**
 * Timestamps as delta-of-delta, with the prefix codes of the Gorilla paper (Pelkonen et al., VLDB
 * 2015, section 4.1.1) and one open-ended case instead of its fixed 32-bit one:
 *
 *   dod = 0                      '0'                          1 bit
 *   zigzag(dod) < 2^7            '10'   + 7 bits              9 bits
 *   zigzag(dod) < 2^9            '110'  + 9 bits             12 bits
 *   zigzag(dod) < 2^12           '1110' + 12 bits            16 bits
 *   anything else                '1111' + 6-bit length L + L bits
 *
 * Worked example, a scrape every 15 s with one late scrape, times in ms relative to the chunk's first
 * sample (the first sample is coded against the base the caller keeps, here itself, so it is '0'):
 *
 *   t       0      15000              30000   45003        60000
 *   delta   -      15000              15000   15003        14997
 *   dod     0      15000              0       3            -6
 *   bits    '0'    '1111' 001111 +15  '0'     '10'+0000110 '10'+0001011
 *
 * (zigzag(15000) = 30000 needs 15 bits, so that sample costs 4 + 6 + 15 = 25 bits.) Five samples,
 * 1 + 25 + 1 + 9 + 9 = 45 bits; a steady scrape costs one bit per sample from the third on.
 *
 * Timestamps are integers with |t| <= 2^50 ms (about 35,000 years either side of 1970), so deltas
 * and their differences stay exact in a double.
 */
export class TimestampEncoder {
  // Initialised with a number, not left undefined until the constructor runs: a field that starts
  // undefined holds a freshly allocated boxed double after every update, one per sample.
  #prev = 0;
  #prevDelta = 0;

  constructor(base: number) {
    this.#prev = base;
  }

  encode(w: BitWriter, t: number): void {
    const delta = t - this.#prev;
    const dod = delta - this.#prevDelta;
    this.#prev = t;
    this.#prevDelta = delta;
    if (dod === 0) {
      w.write(0, 1);
      return;
    }
    const z = zigzag(dod);
    if (z < 128) w.write((0b10 << 7) | z, 9);
    else if (z < 512) w.write((0b110 << 9) | z, 12);
    else if (z < 4096) w.write((0b1110 << 12) | z, 16);
    else {
      const n = bitLength(z);
      w.write((0b1111 << 6) | n, 10);
      w.writeWide(z, n);
    }
  }
}

export class TimestampDecoder {
  /**
   * The timestamp `decode` read last. A field rather than a return value: a call the optimizer
   * does not inline returns a timestamp (not a small integer) as a newly boxed double.
   */
  t = 0;
  // A number from the start, as in TimestampEncoder: decoding 172,800 samples allocated 2.9 MB of
  // boxed doubles and took 10 ms with the field starting undefined, 0.2 MB and 6 ms without.
  #prevDelta = 0;

  constructor(base: number) {
    this.t = base;
  }

  /** Back to the start of a new stream, whose first timestamp is coded against `base`. */
  reset(base: number): void {
    this.t = base;
    this.#prevDelta = 0;
  }

  decode(r: BitReader): void {
    let dod = 0;
    switch (r.ones(4)) {
      case 0:
        break;
      case 1:
        dod = unzigzag(r.read(7));
        break;
      case 2:
        dod = unzigzag(r.read(9));
        break;
      case 3:
        dod = unzigzag(r.read(12));
        break;
      default:
        dod = unzigzag(r.readWide(r.read(6)));
    }
    this.#prevDelta += dod;
    this.t += this.#prevDelta;
  }
}
