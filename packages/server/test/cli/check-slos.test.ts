import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkSlos } from '../../src/cli/check-slos.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-check-slos-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await checkSlos(
    args,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const file = join(dir, 'slos.yml');
writeFileSync(
  file,
  `slos:
  - name: stt
    objective: 95
    sli:
      latency: { histogram: op_seconds, matchers: 'operation="stt"', threshold: 2 }
`,
);

describe('vigil check slos', () => {
  it('checks SLO files and expands them into a Prometheus rule file', async () => {
    expect(await run([file])).toMatchObject({ code: 0, out: 'SUCCESS: 1 SLOs found, 10 rules derived' });
    const expanded = await run(['--expand', file]);
    const rules = parse(expanded.out).groups[0].rules;
    expect(rules.map((r: { record?: string; alert?: string }) => r.record ?? r.alert)).toContain(
      'SloErrorBudgetBurn',
    );
    expect(expanded.err).toContain('needs a bucket at le="2.0" in op_seconds');
  });

  it('reads slos and slo_files from vigil.yaml', async () => {
    const config = join(dir, 'vigil.yaml');
    writeFileSync(
      config,
      `slo_files: [slos.yml]
slos:
  - name: api
    objective: 99.9
    sli: { ratio: { errors: 'sum(rate(e_total[$window]))', total: 'sum(rate(t_total[$window]))' } }
`,
    );
    expect(await run(['--config', config])).toMatchObject({
      code: 0,
      out: 'SUCCESS: 2 SLOs found, 20 rules derived',
    });
  });

  it('says when a classic histogram has no bucket at the threshold', async () => {
    const data = join(dir, 'data');
    const store = await openSqliteStore({ dir: data });
    const now = Date.now();
    await store.append(
      ['0.5', '1.0', '2.5', '+Inf'].map((le) => ({
        labels: { __name__: 'op_seconds_bucket', operation: 'stt', le },
        timestamps: [now],
        values: [1],
      })),
    );
    await store.close();
    const result = await run(['--data', data, file]);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      'SLO "stt": op_seconds has no bucket at le="2.0" (its buckets: 0.5, 1.0, 2.5, +Inf)',
    );
  });

  it('checks that a native latency SLI has its native histogram in the store, and needs no bucket at the threshold', async () => {
    const native = join(dir, 'native.yml');
    writeFileSync(
      native,
      `slos:
  - name: stt-native
    objective: 95
    sli:
      latency: { histogram: op_seconds, matchers: 'operation="stt"', threshold: 2, native: true }
`,
    );
    const offline = await run([native]);
    expect(offline).toMatchObject({ code: 0, err: '' });
    // The store of the test above holds only the classic op_seconds_bucket series.
    const result = await run(['--data', join(dir, 'data'), native]);
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      `SLO "stt-native": no native histogram op_seconds{operation="stt"} in ${join(dir, 'data')} (a classic histogram's op_seconds_bucket series need native: false)`,
    );
    const withNative = join(dir, 'native-data');
    const store = await openSqliteStore({ dir: withNative });
    await store.appendHistograms([
      {
        labels: { __name__: 'op_seconds', operation: 'stt' },
        timestamps: [Date.now()],
        histograms: [
          {
            kind: 'int',
            schema: 3,
            zeroThreshold: 0.001,
            zeroCount: 0,
            count: 1,
            sum: 1.5,
            positiveSpans: [{ offset: 5, length: 1 }],
            positiveDeltas: [1],
            negativeSpans: [],
            negativeDeltas: [],
            counterResetHint: 'unknown',
          },
        ],
      },
    ]);
    await store.close();
    expect(await run(['--data', withNative, native])).toMatchObject({ code: 0, err: '' });
  });

  it('fails on a broken file with its name and the key', async () => {
    const bad = join(dir, 'bad.yml');
    writeFileSync(
      bad,
      'slos:\n  - name: x\n    objective: 120\n    sli: { ratio: { total: "t[$window]", errors: "e[$window]" } }\n',
    );
    const result = await run([bad]);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`${bad}: slos[0].objective: got 120, expected a percentage below 100`);
  });
});
