import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningServer } from '@vigil/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, corpusCases, difference, readGolden, startCorpusVigil } from './interop/promql-corpus-cases.js';

/**
 * The PromQL corpus offline: vigil's answers to every case of test/interop/promql-corpus.txt
 * against Prometheus 2.42's, kept in promql-corpus.golden.jsonl by the interop tier
 * (`npm run test:interop` refreshes it). Same data, same comparison as there.
 */
const work = mkdtempSync(join(tmpdir(), 'vigil-promql-golden-'));
let vigil: RunningServer;

beforeAll(async () => {
  vigil = await startCorpusVigil(join(work, 'vigil'));
}, 120_000);

afterAll(async () => {
  await vigil?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('PromQL corpus: vigil answers as Prometheus 2.42 answered (golden files)', () => {
  const golden = readGolden();

  it('holds an answer for every case of the corpus (else run npm run test:interop to refresh it)', () => {
    const asked = (c: { query: string; label: string }) => `${c.query} [${c.label}]`;
    expect(golden.map(asked)).toEqual(corpusCases().map(asked));
  });

  it(`agrees with all ${golden.length} answers`, async () => {
    const disagreements: string[] = [];
    for (const c of golden) {
      const ours = await ask(vigil.url, c.path, { ...c.params });
      const why = difference(c.answer, ours, c.ordered, c.tolerance);
      if (why !== undefined) disagreements.push(`${c.query} [${c.label}]: ${why}`);
    }
    expect(disagreements).toEqual([]);
  }, 300_000);
});
