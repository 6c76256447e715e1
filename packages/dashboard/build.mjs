// Bundles src/main.ts (and the CSS it imports) into dist/: index.html with src/boot.ts inlined, one
// JS and one CSS file named by content hash, minified. `node build.mjs` from the package folder or
// `npm run build` at the root.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { lazyIntl } from './lazy-intl.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'assets'), { recursive: true });

const result = await build({
  entryPoints: [join(here, 'src/main.ts')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  outdir: join(dist, 'assets'),
  write: false,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [lazyIntl],
  // Chromium's explicit compile hint (V8, Chrome 136+; other engines read a comment): compile every
  // function on the streaming thread while the file downloads, not one by one on the main thread
  // at first call. Traced on the overview's cold load: 23-24 ms of lazy compilation on the main
  // thread before, 1 ms after; the bundle is small enough that compiling all of it is cheap.
  banner: { js: '//# allFunctionsCalledOnLoad' },
});

// boot.ts goes into index.html itself, so its requests leave while the HTML is parsed rather than
// after a round trip for a file. A classic script, not a module: modules wait for the parse to end.
const boot = await build({
  entryPoints: [join(here, 'src/boot.ts')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2022'],
  write: false,
  legalComments: 'none',
  logLevel: 'warning',
});
const bootJs = boot.outputFiles[0].text.trim();
// Script data ends at the first `</script` and changes meaning after `<!--`; esbuild escapes both
// in string literals, and this makes sure nothing else (a regular expression, a comment) has one.
if (/<\/script|<!--/i.test(bootJs)) throw new Error('src/boot.ts: the bundle holds </script or <!--');

const assets = {};
for (const file of result.outputFiles) {
  const ext = file.path.endsWith('.css') ? 'css' : 'js';
  const hash = createHash('sha256').update(file.contents).digest('hex').slice(0, 12);
  const name = `app-${hash}.${ext}`;
  writeFileSync(join(dist, 'assets', name), file.contents);
  assets[ext] = name;
}
const html = readFileSync(join(here, 'src/index.html'), 'utf8')
  .replace('/*%BOOT%*/', () => bootJs)
  .replaceAll('%CSS%', `assets/${assets.css}`)
  .replaceAll('%JS%', `assets/${assets.js}`);
writeFileSync(join(dist, 'index.html'), html);
console.log(`dashboard: dist/assets/${assets.js}, dist/assets/${assets.css}`);
