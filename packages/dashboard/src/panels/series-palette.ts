/** Series colours: distinct on the dark background. */
export const PALETTE: readonly string[] = [
  '#58a6ff',
  '#3fb950',
  '#e3b341',
  '#f778ba',
  '#a371f7',
  '#f0883e',
  '#39c5cf',
  '#ff7b72',
  '#7ee787',
  '#d2a8ff',
];

/** FNV-1a: a stable small hash of a series name. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * A colour for each series name, taken from the name itself so that one operation or provider has
 * the same colour in every panel; two names of one chart that would share a colour get the next
 * free one instead, while the palette lasts.
 */
export function seriesColors(names: readonly string[]): string[] {
  const used = new Set<number>();
  return names.map((name) => {
    let i = hash(name) % PALETTE.length;
    for (let probe = 0; probe < PALETTE.length && used.has(i); probe++) i = (i + 1) % PALETTE.length;
    used.add(i);
    return PALETTE[i]!;
  });
}
