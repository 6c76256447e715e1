import type { SeriesLabels } from '../../store/series-store.js';

const encoder = new TextEncoder();
let hi = 0;
let lo = 0;

/**
 * Alertmanager's alert fingerprint (prometheus/common `model.LabelSet.Fingerprint`): FNV-1a 64 over
 * the label names in sorted order, each name and value followed by the byte 0xff, written as 16 hex
 * digits. Receivers (karma, alertmanager2es) key alerts by it, so it must be the same number.
 *
 * The 64-bit state is two 32-bit halves: multiplying by the FNV prime 2^40 + 0x1b3 is `x * 0x1b3`
 * plus the low half shifted 8 bits into the high half, which stays exact in doubles. ASCII text is
 * hashed from its char codes without encoding it (bench/alert-storm.js: BigInt and a TextEncoder
 * per label made fingerprints half the cost of receiving a storm).
 */
export function fingerprint(labels: SeriesLabels): string {
  hi = 0xcbf29ce4;
  lo = 0x84222325;
  for (const name of Object.keys(labels).sort()) {
    feedString(name);
    feed(0xff);
    feedString(labels[name]!);
    feed(0xff);
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

function feed(byte: number): void {
  lo = (lo ^ byte) >>> 0;
  const low = lo * 0x1b3;
  hi = (Math.imul(hi, 0x1b3) + (lo << 8) + Math.floor(low / 0x100000000)) >>> 0;
  lo = low >>> 0;
}

function feedString(text: string): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) {
      for (const byte of encoder.encode(text.slice(i))) feed(byte);
      return;
    }
    feed(c);
  }
}
