/** Series colours: distinct on the dark background, cycled when a chart has more series. */
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

export const seriesColor = (i: number) => PALETTE[i % PALETTE.length]!;
