import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../packages/metrics/src/base/errors.js';

const root = join(import.meta.dirname, '..');
const metricsSrc = join(root, 'packages/metrics/src');

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

/** DESIGN.md, "Layout and the direction of imports", for @vigil/metrics. */
const ALLOWED: Record<string, readonly string[]> = {
  base: [],
  sketch: ['base'],
  core: ['base', 'sketch'],
  expo: ['base', 'core'],
  push: ['base', 'core', 'expo'],
  latency: ['base', 'sketch', 'core'],
  streaming: ['base', 'core'],
  health: ['base', 'core'],
  genai: ['base', 'core', 'sketch'],
  collector: ['base', 'core', 'expo'],
  handler: ['core', 'expo', 'health'],
  cluster: ['base', 'sketch', 'core'],
  // Glue between two siblings (latency events to push notifiers) sits above both.
  alerting: ['base', 'core', 'latency', 'push'],
};

describe('@vigil/metrics architecture', () => {
  it('imports only in the directions DESIGN.md allows', () => {
    const wrong: string[] = [];
    for (const file of files(metricsSrc)) {
      const rel = relative(metricsSrc, file);
      const layer = rel.includes('/') ? rel.split('/')[0]! : 'index';
      for (const spec of imports(file)) {
        if (spec.startsWith('node:')) continue;
        if (!spec.startsWith('.')) {
          wrong.push(`${rel} imports the package "${spec}": @vigil/metrics has no runtime dependencies`);
          continue;
        }
        const target = relative(metricsSrc, join(file, '..', spec));
        const targetLayer = target.includes('/') ? target.split('/')[0]! : 'index';
        if (layer === 'index' || targetLayer === layer) continue;
        if (!(ALLOWED[layer] ?? []).includes(targetLayer)) wrong.push(`${rel} imports ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('declares no runtime dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'packages/metrics/package.json'), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.peerDependencies ?? {}).toEqual({});
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

const serverSrc = join(root, 'packages/server/src');

/** The entries @vigil/metrics declares in its package.json `exports`: the only ways in from outside. */
const METRICS_ENTRIES = new Set(
  Object.keys(JSON.parse(readFileSync(join(root, 'packages/metrics/package.json'), 'utf8')).exports).map(
    (key) => key.replace(/^\./, '@vigil/metrics'),
  ),
);

/**
 * DESIGN.md for @vigil/server: every layer may use the error catalogue (`errors`); `http` and `cli` sit on top and alone construct concrete stores;
 * `ingest` and `query` see the store only through its interface (`store/series-store.ts`); `alerts` sees
 * queries only through the QueryEngine interface; `remote` implements both interfaces against another engine.
 */
const SERVER_ALLOWED: Record<string, readonly string[]> = {
  errors: [],
  config: ['errors'],
  // Linear-time regular expressions in Prometheus's dialect, for every layer that runs a user's pattern.
  regex: ['errors'],
  store: ['errors', 'regex'],
  // A store's limit error is part of the SeriesStore contract.
  query: ['errors', 'store/series-store.ts', 'store/store-limit-error.ts', 'regex'],
  // Refusing a write the store cannot make durable is part of the SeriesStore contract too.
  ingest: ['errors', 'store/series-store.ts', 'store/store-unwritable-error.ts', 'config'],
  alerts: [
    'errors',
    'store/series-store.ts',
    'query/query-engine.ts',
    'query/query-result.ts',
    'query/query-error.ts',
    'query/format-value.ts',
    'config',
    'regex',
  ],
  remote: [
    'errors',
    'store/series-store.ts',
    'store/store-limit-error.ts',
    'query/query-engine.ts',
    'query/query-result.ts',
    'query/query-error.ts',
    'ingest',
    'config',
  ],
  // Above alerts: SLOs derive rules, incidents consume notifications; reports read all three.
  slo: ['errors', 'store/series-store.ts', 'query/query-engine.ts', 'alerts', 'config'],
  incidents: [
    'errors',
    'store/series-store.ts',
    'store/document-file.ts',
    'query/query-engine.ts',
    'alerts',
    'config',
  ],
  reports: [
    'errors',
    'store/series-store.ts',
    'query/query-engine.ts',
    'alerts',
    'slo',
    'incidents',
    'figures',
    'config',
  ],
  // Read models over the QueryEngine interface: the figures /api/metrics, the dashboard and vigil top share.
  figures: ['errors', 'query/query-engine.ts', 'query/query-result.ts'],
  demo: ['errors', 'config'],
  top: ['errors', 'config'],
  http: [
    'errors',
    'store/series-store.ts',
    'ingest',
    'query',
    'alerts',
    'slo',
    'incidents',
    'reports',
    'figures',
    'config',
    'regex',
  ],
  cli: [
    'errors',
    'config',
    'http',
    'ingest',
    'store',
    'query',
    'alerts',
    'slo',
    'incidents',
    'reports',
    'remote',
    'demo',
    'top',
  ],
};

describe('@vigil/server architecture', () => {
  it('imports only in the directions DESIGN.md allows, and @vigil/metrics only through its package', () => {
    const wrong: string[] = [];
    for (const file of files(serverSrc)) {
      const rel = relative(serverSrc, file);
      const layer = rel.includes('/') ? rel.split('/')[0]! : 'index';
      for (const spec of imports(file)) {
        if (spec.startsWith('node:')) continue;
        if (
          spec.includes('packages/metrics') ||
          (spec.startsWith('@vigil/metrics/') && !METRICS_ENTRIES.has(spec))
        ) {
          wrong.push(`${rel} reaches into @vigil/metrics ("${spec}") instead of its package entries`);
          continue;
        }
        if (!spec.startsWith('.')) continue;
        const target = relative(serverSrc, join(file, '..', spec)).replace(/\.js$/, '.ts');
        const targetLayer = target.includes('/') ? target.split('/')[0]! : 'index';
        if (layer === 'index' || targetLayer === layer) continue;
        const allowed = SERVER_ALLOWED[layer] ?? [];
        if (!allowed.includes(targetLayer) && !allowed.includes(target))
          wrong.push(`${rel} imports ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
