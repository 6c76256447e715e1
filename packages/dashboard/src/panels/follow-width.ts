import type uPlot from 'uplot';

/** Keeps a chart as wide as `body`, its container: `plot()` is the chart drawn there now, if any. */
export function followWidth(
  body: HTMLElement,
  height: number,
  plot: () => uPlot | undefined,
): ResizeObserver {
  const observer = new ResizeObserver(() => {
    const chart = plot();
    const width = body.clientWidth;
    if (chart && width > 0 && width !== chart.width) chart.setSize({ width, height });
  });
  observer.observe(body);
  return observer;
}
