import { crc32, deflateSync } from 'node:zlib';

/** The line's colour, RGB: a blue that reads on white and on a mail client's dark background. */
const LINE = [0x1f, 0x6f, 0xeb] as const;

/**
 * A sparkline as a PNG, drawn on the server: the values left to right, scaled between their lowest
 * and highest, a 2-pixel line on a transparent background, broken where a value is missing (NaN).
 * Mail clients drop inline SVG and `data:` images (Gmail, Outlook); a PNG attached to the message and
 * referenced by its Content-ID shows in all of them, and needs no image library.
 */
export function sparklinePng(values: readonly number[], width = 120, height = 28): Buffer {
  const pixels = new Uint8Array(width * height * 4);
  const finite = values.filter(Number.isFinite);
  if (finite.length > 0) {
    const low = Math.min(...finite);
    const high = Math.max(...finite);
    const y = (v: number) =>
      high === low ? Math.round((height - 1) / 2) : Math.round((height - 2) * (1 - (v - low) / (high - low)));
    const x = (i: number) => (values.length === 1 ? 0 : Math.round((i * (width - 1)) / (values.length - 1)));
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) continue;
      const next = values[i + 1];
      if (next !== undefined && Number.isFinite(next))
        line(pixels, width, height, x(i), y(v), x(i + 1), y(next));
      else line(pixels, width, height, x(i), y(v), x(i), y(v));
    }
  }
  return png(pixels, width, height);
}

/** Bresenham's line, two pixels thick (the pixel below each point as well). */
function line(px: Uint8Array, w: number, h: number, x0: number, y0: number, x1: number, y1: number): void {
  const dx = Math.abs(x1 - x0);
  const dy = -Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1;
  const sy = y0 < y1 ? 1 : -1;
  let err = dx + dy;
  for (;;) {
    for (const yy of [y0, y0 + 1]) {
      if (x0 < 0 || x0 >= w || yy < 0 || yy >= h) continue;
      const at = (yy * w + x0) * 4;
      px[at] = LINE[0];
      px[at + 1] = LINE[1];
      px[at + 2] = LINE[2];
      px[at + 3] = 255;
    }
    if (x0 === x1 && y0 === y1) return;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x0 += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y0 += sy;
    }
  }
}

/** An 8-bit RGBA PNG: signature, IHDR, one zlib IDAT of unfiltered rows, IEND. */
function png(rgba: Uint8Array, width: number, height: number): Buffer {
  const rows = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++)
    rows.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
