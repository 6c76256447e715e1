import { randomBytes } from 'node:crypto';
import { closeSync, cpSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Counter, ManualClock, Registry } from '@vigil/metrics';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { until } from '../../../../test/support/until.js';
import { serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';
import { DatabaseIntegrity } from '../../src/store/database-integrity.js';
import { DocumentFile } from '../../src/store/document-file.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `vigil-${name}-`));
  dirs.push(dir);
  return dir;
}

/** Overwrites with random bytes every page of `file` that holds rows of `btree` (from SQLite's dbstat). */
function corruptPagesOf(file: string, btree: string): number {
  const db = new Database(file, { readonly: true });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pages = db
    .prepare("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf'")
    .pluck()
    .all(btree) as number[];
  db.close();
  const fd = openSync(file, 'r+');
  for (const page of pages) writeSync(fd, randomBytes(pageSize), 0, pageSize, (page - 1) * pageSize);
  closeSync(fd);
  return pages.length;
}

describe('a corrupt database file', () => {
  it('vigil.db with its chunk pages overwritten: serve starts, /api/health names vigil.db, queries fail without a crash, the metric counts it', async () => {
    const original = tempDir('corrupt-original');
    const now = Date.now();
    const store = await openSqliteStore({ dir: original, minFreeDiskSpaceBytes: 0 });
    // 100 series of 2,000 samples: chunks of 240 fill many leaf pages of the chunks table.
    await store.append(
      Array.from({ length: 100 }, (_, i) => ({
        labels: { __name__: 'corrupt_probe', i: String(i) },
        timestamps: Array.from({ length: 2000 }, (_, k) => now - (2000 - k) * 15_000),
        values: Array.from({ length: 2000 }, (_, k) => Math.sin(k + i)),
      })),
    );
    await store.close();

    // A copy is broken, the original kept: the pages of the chunks table become random bytes.
    const copy = tempDir('corrupt-copy');
    cpSync(original, copy, { recursive: true });
    expect(corruptPagesOf(join(copy, 'vigil.db'), 'chunks')).toBeGreaterThan(3);

    // Start-up reads the series and heads, not the chunks: it does not wait to read the whole file.
    const server = await serve(loadConfig({ listen: '127.0.0.1:0', data: copy, statsd: 'off' }, {}));
    try {
      // The background check finds it by itself, without a query touching the pages.
      const document = await until('/api/health to name vigil.db', async () => {
        const res = await fetch(`${server.url}/api/health`);
        const body = (await res.json()) as {
          status: string;
          dependencies_status: { store: { error?: string } };
        };
        return res.status === 503 && body.dependencies_status.store.error?.includes('vigil.db is corrupt')
          ? body
          : undefined;
      });
      expect(document.status).toBe('unhealthy');
      expect(document.dependencies_status.store.error).toMatch(/vigil\.db is corrupt: .*malformed/);

      const query = await fetch(
        `${server.url}/api/v1/query?query=${encodeURIComponent('count_over_time(corrupt_probe[1d])')}`,
      );
      expect(query.status).toBeGreaterThanOrEqual(500);
      expect((await fetch(`${server.url}/-/healthy`)).status).toBe(200);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      const counted = /^vigil_storage_corruption_errors_total\{file="vigil\.db"\} (\d+)$/m.exec(metrics);
      expect(Number(counted?.[1])).toBeGreaterThanOrEqual(1);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('an incidents.db with a damaged page is found by the background walk, a slice per tick', () => {
    const dir = tempDir('corrupt-documents');
    const path = join(dir, 'incidents.db');
    const documents = new DocumentFile(path);
    for (let i = 0; i < 100; i++)
      documents.put(`incident-${i}`, i, JSON.stringify({ note: 'x'.repeat(2000) }));
    documents.close();
    expect(corruptPagesOf(path, 'documents')).toBeGreaterThan(3);

    const clock = new ManualClock(0);
    const registry = new Registry();
    const integrity = new DatabaseIntegrity({ clock, registry });
    const reopened = new DocumentFile(path, integrity);
    try {
      expect(integrity.problems()).toEqual([]);
      clock.advance(60_000);
      expect(integrity.problems()).toEqual([
        { file: 'incidents.db', error: expect.stringMatching(/malformed/) },
      ]);
      const counted = registry.getMetric('vigil_storage_corruption_errors_total') as Counter;
      expect(counted.get({ file: 'incidents.db' })).toBe(1);
    } finally {
      reopened.close();
      integrity.stop();
    }
  });

  it('status-pages.db with a damaged page: serve starts, /api/health names status-pages.db', async () => {
    const dir = tempDir('corrupt-status-pages');
    const path = join(dir, 'status-pages.db');
    const documents = new DocumentFile(path);
    for (let i = 0; i < 100; i++)
      documents.put(`status-incident-${i}`, i, JSON.stringify({ update: 'z'.repeat(2000) }));
    documents.close();
    expect(corruptPagesOf(path, 'documents')).toBeGreaterThan(3);

    const server = await serve(loadConfig({ listen: '127.0.0.1:0', data: dir, statsd: 'off' }, {}));
    try {
      // Nothing reads the status incidents here: the background walk finds the damage by itself.
      const error = await until('/api/health to name status-pages.db', async () => {
        const res = await fetch(`${server.url}/api/health`);
        const body = (await res.json()) as { dependencies_status: { store: { error?: string } } };
        const error = body.dependencies_status.store.error;
        return res.status === 503 && error?.includes('status-pages.db is corrupt') ? error : undefined;
      });
      expect(error).toMatch(/status-pages\.db is corrupt: .*malformed/);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/^vigil_storage_corruption_errors_total\{file="status-pages\.db"\} [1-9]/m);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('a healthy file stays healthy through full passes of the walk', () => {
    const dir = tempDir('healthy-documents');
    const clock = new ManualClock(0);
    const integrity = new DatabaseIntegrity({ clock });
    const documents = new DocumentFile(join(dir, 'incidents.db'), integrity);
    try {
      // Documents larger than a page: the walk reads overflow pages too.
      for (let i = 0; i < 50; i++)
        documents.put(`incident-${i}`, i, JSON.stringify({ note: 'y'.repeat(20_000) }));
      clock.advance(2 * 3_600_000 + 60_000);
      expect(integrity.problems()).toEqual([]);
      expect(documents.list(0, 5)).toHaveLength(5);
    } finally {
      documents.close();
      integrity.stop();
    }
  });
});
