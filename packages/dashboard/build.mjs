// Bundles src/main.ts (and the CSS it imports) into dist/: index.html with src/boot.ts inlined, the
// JS and CSS named by content hash, minified. What a page imports with import() (Explore's PromQL
// editor) is a chunk of its own, fetched only by that page. `node build.mjs` from the package
// folder or `npm run build` at the root.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { lazyIntl } from './lazy-intl.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'assets'), { recursive: true });

const result = await build({
  entryPoints: [join(here, 'src/main.ts')],
  bundle: true,
  splitting: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  outdir: join(dist, 'assets'),
  entryNames: 'app-[hash]',
  chunkNames: 'chunk-[hash]',
  metafile: true,
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

for (const file of result.outputFiles) writeFileSync(file.path, file.contents);
const outputs = result.metafile.outputs;
const entry = Object.keys(outputs).find((path) => outputs[path].entryPoint !== undefined);
const css = outputs[entry].cssBundle;
// Every page loads the entry and what it imports statically; import() chunks wait for their page.
const statics = [entry];
for (const path of statics) {
  for (const { path: imported, kind } of outputs[path].imports) {
    if (kind === 'import-statement' && !statics.includes(imported)) statics.push(imported);
  }
}
const href = (path) => `assets/${basename(path)}`;
const gzipKiB = (paths) =>
  (paths.reduce((sum, path) => sum + gzipSync(readFileSync(path), { level: 9 }).length, 0) / 1024).toFixed(1);
const lazy = Object.keys(outputs).filter((path) => path.endsWith('.js') && !statics.includes(path));
const html = readFileSync(join(here, 'src/index.html'), 'utf8')
  .replace('/*%BOOT%*/', () => bootJs)
  .replace(
    '%MODULEPRELOADS%',
    statics.map((path) => `<link rel="modulepreload" href="${href(path)}">`).join('\n'),
  )
  .replaceAll('%CSS%', href(css))
  .replaceAll('%JS%', href(entry));
writeFileSync(join(dist, 'index.html'), html);
console.log(
  `dashboard: ${statics.map(href).join(', ')} (every page: ${gzipKiB(statics)} KiB gzipped), ${href(css)}; ` +
    `import() chunks: ${lazy.map(href).join(', ') || 'none'} (${gzipKiB(lazy)} KiB gzipped)`,
);
