import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Counter, ManualClock, parsePrometheusText, Registry } from '@vigil/metrics';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { countBackgroundFailures } from '../../src/errors/background-tasks.js';
import { PushGroups } from '../../src/ingest/push-groups.js';
import { PushGroupsFile } from '../../src/ingest/push-groups-file.js';
import { StoreUnwritableError } from '../../src/store/store-unwritable-error.js';

const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-push-file-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const values = (groups: PushGroups, now: number) =>
  groups.sample(now).map((s) => [s.labels.__name__, s.labels.job, s.labels.instance, s.values[0]]);

describe('PushGroupsFile', () => {
  it('survives a save that fails from its timer: counts it, refuses pushes with 503 meanwhile, and saves once it can', () => {
    const registry = new Registry();
    countBackgroundFailures(registry);
    const clock = new ManualClock(1_000_000);
    const path = join(dataDir(), 'pushgateway.jsonl');
    // A real file-system error: the temporary file's name is taken by a directory (EISDIR).
    mkdirSync(`${path}.tmp`);
    const groups = new PushGroups();
    const file = new PushGroupsFile({ path, groups, clock, intervalMs: 1000 });
    file.load();
    file.start();
    groups.push({ job: 'backup' }, parsePrometheusText('last_run 17\n'), true, clock.now());
    expect(() => clock.advance(1000)).not.toThrow();
    const failures = registry.getMetric('vigil_background_errors_total') as Counter;
    expect(failures.get({ task: 'saving pushgateway.jsonl' })).toBe(1);
    expect(groups.unsaved).toMatch(/pushgateway\.jsonl cannot be written: EISDIR/);
    expect(() => groups.push({ job: 'nightly' }, parsePrometheusText('done 1\n'), true, clock.now())).toThrow(
      StoreUnwritableError,
    );
    expect(() => groups.delete({ job: 'backup' }, clock.now())).toThrow(StoreUnwritableError);

    rmSync(`${path}.tmp`, { recursive: true });
    clock.advance(1000);
    expect(groups.unsaved).toBe(undefined);
    expect(readFileSync(path, 'utf8')).toContain('last_run');
    groups.push({ job: 'nightly' }, parsePrometheusText('done 1\n'), true, clock.now());
    file.close();
  });

  it('writes changed groups at its interval and on close, and another process reads them back, NaN and Inf included', () => {
    const clock = new ManualClock(1_000_000);
    const path = join(dataDir(), 'pushgateway.jsonl');
    const groups = new PushGroups();
    const file = new PushGroupsFile({ path, groups, clock, intervalMs: 1000 });
    expect(file.load()).toEqual({ restored: 0 });
    file.start();
    groups.push(
      { job: 'backup', instance: 'db1' },
      parsePrometheusText('# TYPE last_run gauge\nlast_run 17\nodd NaN\nbig +Inf\n'),
      true,
      clock.now(),
    );
    expect(existsSync(path)).toBe(false);
    clock.advance(1000);
    expect(existsSync(path)).toBe(true);
    groups.push({ job: 'nightly' }, parsePrometheusText('done 1\n'), true, clock.now());
    file.close();
    expect(readdirSync(join(path, '..'))).toEqual(['pushgateway.jsonl']);

    const restored = new PushGroups();
    expect(new PushGroupsFile({ path, groups: restored, clock, intervalMs: 1000 }).load()).toEqual({
      restored: 2,
    });
    expect(values(restored, 5_000_000)).toEqual(values(groups, 5_000_000));
    expect(values(restored, 5_000_000)).toContainEqual(['odd', 'backup', 'db1', Number.NaN]);
    expect(values(restored, 5_000_000)).toContainEqual(['big', 'backup', 'db1', Number.POSITIVE_INFINITY]);
    expect(values(restored, 5_000_000)).toContainEqual(['push_time_seconds', 'nightly', undefined, 1001]);
  });

  it('writes nothing when nothing changed', () => {
    const clock = new ManualClock(0);
    const path = join(dataDir(), 'pushgateway.jsonl');
    const file = new PushGroupsFile({ path, groups: new PushGroups(), clock, intervalMs: 1000 });
    file.load();
    file.start();
    clock.advance(5000);
    file.close();
    expect(existsSync(path)).toBe(false);
  });

  it('moves an unreadable file aside, keeping it, and starts empty', () => {
    const clock = new ManualClock(42);
    const dir = dataDir();
    const path = join(dir, 'pushgateway.jsonl');
    const cut = '{"format":2}\n{"labels":{"job":"a"},"families":[],"pushedAtMs":1}\n{"labels":{"jo';
    writeFileSync(path, cut);
    const groups = new PushGroups();
    const result = new PushGroupsFile({ path, groups, clock, intervalMs: 1000 }).load();
    expect(result).toEqual({ movedTo: `${path}.unreadable-42`, error: 'line 3: cut short' });
    expect(readFileSync(`${path}.unreadable-42`, 'utf8')).toBe(cut);
    expect(groups.size).toBe(0);
    writeFileSync(path, '{"format":2}\n{"labels":{"instance":"x"},"families":[],"pushedAtMs":1}\n');
    expect(new PushGroupsFile({ path, groups, clock, intervalMs: 1000 }).load()).toMatchObject({
      error: 'line 2: expected {labels: {job, ...}, families: [...], pushedAtMs}',
    });
    writeFileSync(path, '{"format":1,"groups":[]}\n');
    expect(new PushGroupsFile({ path, groups, clock, intervalMs: 1000 }).load()).toMatchObject({
      error: 'line 1: expected {"format":2}',
    });
  });

  it('writes one line per group and never one string of every group (V8 strings end near 512 MiB)', () => {
    const clock = new ManualClock(1_000_000);
    const path = join(dataDir(), 'pushgateway.jsonl');
    const groups = new PushGroups();
    const file = new PushGroupsFile({ path, groups, clock, intervalMs: 1000 });
    file.load();
    // 300 groups of about 40 KB: a 12 MB file.
    const family = parsePrometheusText(`# HELP rows ${'h'.repeat(40_000)}\nrows 1\n`);
    for (let i = 0; i < 300; i++) groups.push({ job: `job${i}` }, family, true, clock.now());
    let longest = 0;
    const stringify = JSON.stringify;
    const spy = vi.spyOn(JSON, 'stringify').mockImplementation((...args: Parameters<typeof stringify>) => {
      const text = stringify(...args);
      longest = Math.max(longest, text?.length ?? 0);
      return text;
    });
    try {
      file.save();
    } finally {
      spy.mockRestore();
    }
    expect(longest).toBeGreaterThan(40_000);
    expect(longest).toBeLessThan(41_000);
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.length).toBe(302);
    expect(lines[0]).toBe('{"format":2}');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(1, -1).map((line) => JSON.parse(line).labels.job)).toEqual(
      Array.from({ length: 300 }, (_, i) => `job${i}`),
    );

    const restored = new PushGroups();
    expect(new PushGroupsFile({ path, groups: restored, clock, intervalMs: 1000 }).load()).toEqual({
      restored: 300,
    });
    expect(values(restored, 2_000_000)).toEqual(values(groups, 2_000_000));
  });

  it('reads the one-document pushgateway.json of earlier versions and replaces it at the first save', () => {
    const clock = new ManualClock(1_000_000);
    const dir = dataDir();
    const legacyPath = join(dir, 'pushgateway.json');
    const path = join(dir, 'pushgateway.jsonl');
    writeFileSync(
      legacyPath,
      JSON.stringify({
        format: 1,
        groups: [
          {
            labels: { job: 'backup', instance: 'db1' },
            families: [
              {
                name: 'odd',
                type: 'gauge',
                help: '',
                unit: '',
                samples: [{ name: 'odd', labels: {}, value: { $: 'NaN' } }],
              },
              {
                name: 'last_run',
                type: 'gauge',
                help: '',
                unit: '',
                samples: [{ name: 'last_run', labels: {}, value: 17 }],
              },
            ],
            pushedAtMs: 500_000,
          },
        ],
      }),
    );
    const groups = new PushGroups();
    const file = new PushGroupsFile({ path, legacyPath, groups, clock, intervalMs: 1000 });
    expect(file.load()).toEqual({ restored: 1 });
    expect(values(groups, 2_000_000)).toEqual([
      ['odd', 'backup', 'db1', Number.NaN],
      ['last_run', 'backup', 'db1', 17],
      ['push_time_seconds', 'backup', 'db1', 500],
    ]);
    file.start();
    clock.advance(1000);
    expect(readdirSync(dir)).toEqual(['pushgateway.jsonl']);
    file.close();

    const again = new PushGroups();
    expect(new PushGroupsFile({ path, legacyPath, groups: again, clock, intervalMs: 1000 }).load()).toEqual({
      restored: 1,
    });
    expect(values(again, 2_000_000)).toEqual(values(groups, 2_000_000));
  });
});
