// An esbuild plugin for build.mjs. uPlot builds an Intl.NumberFormat as its module loads, for the
// axis and legend values it formats by default; this dashboard formats every value itself
// (src/format-value.ts) and never needs it. The first Intl formatter of a page loads ICU's locale
// data: 40-130 ms of a fresh Chromium tab on the benchmark machine (bench/dashboard.js), spent
// before the first query could leave. The plugin builds that formatter on first use instead.
import { readFile } from 'node:fs/promises';

const EAGER =
  "const numFormatter = new Intl.NumberFormat(domEnv ? nav.language : 'en-US');\n" +
  'const fmtNum = val => numFormatter.format(val);';
const LAZY =
  'let numFormatter;\n' +
  "const fmtNum = val => (numFormatter ??= new Intl.NumberFormat(domEnv ? nav.language : 'en-US')).format(val);";

export const lazyNumberFormat = {
  name: 'lazy-number-format',
  setup(build) {
    build.onLoad({ filter: /[\\/]uplot[\\/]dist[\\/]uPlot\.esm\.js$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      // A uPlot release that words it differently must not silently bring the cost back.
      if (!source.includes(EAGER)) {
        throw new Error(
          `${path}: uPlot's module-level Intl.NumberFormat is not where lazy-number-format.mjs expects it`,
        );
      }
      return { contents: source.replace(EAGER, LAZY), loader: 'js' };
    });
  },
};
