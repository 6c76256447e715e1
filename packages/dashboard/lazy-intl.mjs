// An esbuild plugin for build.mjs. uPlot builds two Intl objects as its module loads: a
// NumberFormat for the axis and legend values it formats by default, and a DateTimeFormat to learn
// the local time zone, used only for charts given a `tz`. This dashboard formats every value itself
// (src/format-value.ts) and gives no `tz`, so it needs neither. The first Intl object of a page
// loads ICU's locale data: 40-130 ms of a fresh Chromium tab on the benchmark machine, whichever of
// the two comes first, spent before the first query could leave. The plugin builds each on first use.
import { readFile } from 'node:fs/promises';

const REWRITES = [
  [
    "const numFormatter = new Intl.NumberFormat(domEnv ? nav.language : 'en-US');\n" +
      'const fmtNum = val => numFormatter.format(val);',
    'let numFormatter;\n' +
      "const fmtNum = val => (numFormatter ??= new Intl.NumberFormat(domEnv ? nav.language : 'en-US')).format(val);",
  ],
  ['const localTz = new Intl.DateTimeFormat().resolvedOptions().timeZone;', 'let localTz;'],
  [
    'else if (tz == localTz)',
    'else if (tz == (localTz ??= new Intl.DateTimeFormat().resolvedOptions().timeZone))',
  ],
];

export const lazyIntl = {
  name: 'lazy-intl',
  setup(build) {
    build.onLoad({ filter: /[\\/]uplot[\\/]dist[\\/]uPlot\.esm\.js$/ }, async ({ path }) => {
      let source = await readFile(path, 'utf8');
      for (const [eager, lazy] of REWRITES) {
        // A uPlot release that words it differently must not silently bring the cost back.
        if (source.split(eager).length !== 2) {
          throw new Error(`${path}: lazy-intl.mjs expects exactly one "${eager.split('\n')[0]}"`);
        }
        source = source.replace(eager, lazy);
      }
      if (/new Intl\.\w+\(/.test(source.replace(/\?\?= new Intl\./g, ''))) {
        throw new Error(
          `${path}: builds an Intl object lazy-intl.mjs does not know of: check whether the module builds it as it loads`,
        );
      }
      return { contents: source, loader: 'js' };
    });
  },
};
