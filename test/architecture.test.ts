import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../packages/metrics/src/base/errors.js';

/**
 * The design as docs/architecture.md states it: its two layer tables are read here, so the page and
 * this check cannot drift apart. A new layer or a new allowed import is a new row or cell there.
 */
const root = join(import.meta.dirname, '..');
const metricsSrc = join(root, 'packages/metrics/src');
const serverSrc = join(root, 'packages/server/src');
const dashboardSrc = join(root, 'packages/dashboard/src');

interface Layer {
  /** Layers (`query`) or single files of a layer (`store/series-store.ts`) it may import. */
  readonly imports: readonly string[];
  /** npm packages it may import (by package name). */
  readonly packages: readonly string[];
}

/** The rows of the table under `heading` in docs/architecture.md: layer → what it may import. */
function layerTable(heading: string): Map<string, Layer> {
  const text = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`docs/architecture.md has no "${heading}" section`);
  const end = text.indexOf('\n## ', start + heading.length + 2);
  const section = text.slice(start, end < 0 ? undefined : end);
  const layers = new Map<string, Layer>();
  for (const row of section.matchAll(/^\| `([a-z]+)` \|[^|]*\|([^|]*)\|([^|]*)\|$/gm)) {
    const names = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    layers.set(row[1]!, { imports: names(row[2]!), packages: names(row[3]!) });
  }
  if (layers.size === 0) throw new Error(`no layer rows under "${heading}" in docs/architecture.md`);
  return layers;
}

const METRICS_LAYERS = layerTable('## Layers of `@vigil/metrics`');
const SERVER_LAYERS = layerTable('## Layers of `@vigil/server`');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1]!);
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function layerOf(rel: string): string {
  return rel.includes('/') ? rel.split('/')[0]! : 'index';
}

function folders(dir: string): string[] {
  return readdirSync(dir).filter((name) => statSync(join(dir, name)).isDirectory());
}

/** The entries @vigil/metrics declares in its package.json `exports`: the only ways in from outside. */
const METRICS_ENTRIES = new Set(
  Object.keys(JSON.parse(readFileSync(join(root, 'packages/metrics/package.json'), 'utf8')).exports).map(
    (key) => key.replace(/^\./, '@vigil/metrics'),
  ),
);

/** Imports of the files under `src` that the layer table does not allow. */
function forbiddenImports(src: string, layers: Map<string, Layer>): string[] {
  const wrong: string[] = [];
  for (const file of files(src)) {
    const rel = relative(src, file);
    const layer = layerOf(rel);
    const allowed = layers.get(layer);
    if (layer !== 'index' && !allowed) {
      wrong.push(`${rel}: the layer "${layer}" has no row in docs/architecture.md`);
      continue;
    }
    for (const spec of imports(file)) {
      if (spec.startsWith('node:')) continue;
      if (!spec.startsWith('.')) {
        if (spec.startsWith('@vigil/metrics') && !METRICS_ENTRIES.has(spec))
          wrong.push(`${rel} reaches into @vigil/metrics ("${spec}") instead of one of its entries`);
        else if (layer !== 'index' && !allowed!.packages.includes(packageOf(spec)))
          wrong.push(`${rel} imports the package "${packageOf(spec)}", not allowed in ${layer}`);
        continue;
      }
      if (spec.includes('packages/')) {
        wrong.push(`${rel} imports another package's files ("${spec}")`);
        continue;
      }
      const target = relative(src, join(file, '..', spec)).replace(/\.js$/, '.ts');
      const targetLayer = layerOf(target);
      if (layer === 'index' || targetLayer === layer) continue;
      if (!allowed!.imports.includes(targetLayer) && !allowed!.imports.includes(target))
        wrong.push(`${rel} imports ${target}`);
    }
  }
  return wrong;
}

describe('@vigil/metrics architecture', () => {
  it('has a row in docs/architecture.md for every layer folder, and a folder for every row', () => {
    expect(folders(metricsSrc).sort()).toEqual([...METRICS_LAYERS.keys()].sort());
  });

  it('imports only what docs/architecture.md allows', () => {
    expect(forbiddenImports(metricsSrc, METRICS_LAYERS)).toEqual([]);
  });

  it('declares no runtime dependencies, and no layer may import a package', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'packages/metrics/package.json'), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.peerDependencies ?? {}).toEqual({});
    expect([...METRICS_LAYERS.values()].flatMap((l) => l.packages)).toEqual([]);
  });

  it('uses every error code of the catalogue, documents each in docs/errors.md, and no other', () => {
    const used = new Set(
      files(metricsSrc).flatMap((f) =>
        [...readFileSync(f, 'utf8').matchAll(/'(VIGIL_[A-Z_]+)'/g)].map((m) => m[1]!),
      ),
    );
    const docs = readFileSync(join(root, 'docs/errors.md'), 'utf8');
    for (const code of Object.keys(ERROR_CODES)) {
      expect(used, `${code} is never thrown`).toContain(code);
      expect(docs, `${code} is not in docs/errors.md`).toContain(`\`${code}\``);
    }
    for (const code of used) if (code !== 'VIGIL_DROPPED') expect(Object.keys(ERROR_CODES)).toContain(code);
  });
});

describe('@vigil/server architecture', () => {
  it('has a row in docs/architecture.md for every layer folder', () => {
    expect(folders(serverSrc).filter((f) => !SERVER_LAYERS.has(f))).toEqual([]);
  });

  it('imports only what docs/architecture.md allows, @vigil/metrics through its entries', () => {
    expect(forbiddenImports(serverSrc, SERVER_LAYERS)).toEqual([]);
  });

  it('opens SQLite in the store layer only', () => {
    const layers = [...SERVER_LAYERS]
      .filter(([, l]) => l.packages.includes('better-sqlite3'))
      .map(([n]) => n);
    expect(layers).toEqual(['store']);
  });

  it('lets no layer match errors by their code strings, but the one mapping to HTTP', () => {
    const matching = files(serverSrc)
      .map((f) => relative(serverSrc, f))
      .filter((rel) => !rel.startsWith('errors/') && rel !== 'http/respond.ts')
      .filter((rel) => /[!=]==\s*'VIGIL_[A-Z_]+'/.test(readFileSync(join(serverSrc, rel), 'utf8')));
    expect(matching).toEqual([]);
  });
});

describe('the dashboard', () => {
  /** Explore's PromQL editor: CodeMirror and the Prometheus team's PromQL language for it. */
  const EDITOR = 'pages/promql-editor.ts';
  const editorPackage = (name: string) =>
    name.startsWith('@codemirror/') ||
    name.startsWith('@lezer/') ||
    name === '@prometheus-io/codemirror-promql';

  it('imports only its own files, uplot, and the editor packages in the editor: it knows the server by its HTTP API alone', () => {
    const wrong: string[] = [];
    for (const file of files(dashboardSrc)) {
      const rel = relative(dashboardSrc, file);
      for (const spec of imports(file)) {
        if (spec.startsWith('.')) {
          if (relative(dashboardSrc, join(file, '..', spec)).startsWith('..'))
            wrong.push(`${rel} imports ${spec}`);
          // Statically imported, the editor would be in the bundle every page loads.
          else if (relative(dashboardSrc, join(file, '..', spec)) === EDITOR.replace(/\.ts$/, '.js'))
            wrong.push(`${rel} imports ${spec} statically: the editor is for import() alone`);
        } else if (packageOf(spec) !== 'uplot' && !(rel === EDITOR && editorPackage(packageOf(spec))))
          wrong.push(`${rel} imports the package "${spec}"`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
