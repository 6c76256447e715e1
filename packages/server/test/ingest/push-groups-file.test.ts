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
import { afterAll, describe, expect, it } from 'vitest';
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
    const path = join(dataDir(), 'pushgateway.json');
    // A real file-system error: the temporary file's name is taken by a directory (EISDIR).
    mkdirSync(`${path}.tmp`);
    const groups = new PushGroups();
    const file = new PushGroupsFile({ path, groups, clock, intervalMs: 1000 });
    file.load();
    file.start();
    groups.push({ job: 'backup' }, parsePrometheusText('last_run 17\n'), true, clock.now());
    expect(() => clock.advance(1000)).not.toThrow();
    const failures = registry.getMetric('vigil_background_errors_total') as Counter;
    expect(failures.get({ task: 'saving pushgateway.json' })).toBe(1);
    expect(groups.unsaved).toMatch(/pushgateway\.json cannot be written: EISDIR/);
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
    const path = join(dataDir(), 'pushgateway.json');
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
    expect(readdirSync(join(path, '..'))).toEqual(['pushgateway.json']);

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
    const path = join(dataDir(), 'pushgateway.json');
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
    const path = join(dir, 'pushgateway.json');
    writeFileSync(path, '{"format":1,"groups":[{"labels":{}}');
    const groups = new PushGroups();
    const result = new PushGroupsFile({ path, groups, clock, intervalMs: 1000 }).load();
    expect(result).toMatchObject({ movedTo: `${path}.unreadable-42`, error: expect.stringMatching(/JSON/) });
    expect(readFileSync(`${path}.unreadable-42`, 'utf8')).toBe('{"format":1,"groups":[{"labels":{}}');
    expect(groups.size).toBe(0);
    writeFileSync(path, '{"format":1,"groups":[{"labels":{"instance":"x"},"families":[],"pushedAtMs":1}]}');
    expect(new PushGroupsFile({ path, groups, clock, intervalMs: 1000 }).load()).toMatchObject({
      error: 'group 0: expected {labels: {job, ...}, families: [...], pushedAtMs}',
    });
  });
});
