import type { Level } from './thresholds.js';

/** A run of text with one look. */
export interface Segment {
  readonly text: string;
  readonly level?: Level;
  readonly bold?: boolean;
  readonly inverse?: boolean;
}

/** One line of the screen, before it is painted. */
export type Line = readonly Segment[];

const SGR: Record<Level, string> = { ok: '32', warning: '33', critical: '31', none: '' };

export function lengthOf(line: Line): number {
  let n = 0;
  for (const s of line) n += [...s.text].length;
  return n;
}

/** Cuts `line` to `width` characters (an ellipsis marks the cut) and pads it with spaces to exactly `width`. */
export function fit(line: Line, width: number): Line {
  const out: Segment[] = [];
  let left = width;
  const total = lengthOf(line);
  for (const s of line) {
    if (left <= 0) break;
    const chars = [...s.text];
    if (chars.length <= left && (total <= width || chars.length < left)) {
      out.push(s);
      left -= chars.length;
    } else {
      const keep = Math.max(0, Math.min(chars.length, left - 1));
      out.push({ ...s, text: `${chars.slice(0, keep).join('')}…` });
      left -= keep + 1;
      break;
    }
  }
  if (left > 0) out.push({ text: ' '.repeat(left) });
  return out;
}

/** The line as terminal text: ANSI colours when `color`, plain text otherwise. */
export function paint(line: Line, color: boolean): string {
  let out = '';
  for (const s of line) {
    const codes = color
      ? [s.bold ? '1' : '', s.inverse ? '7' : '', SGR[s.level ?? 'none']].filter(Boolean)
      : [];
    out += codes.length > 0 ? `\x1b[${codes.join(';')}m${s.text}\x1b[0m` : s.text;
  }
  return out;
}
