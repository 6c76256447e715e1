import { parsePrometheusText } from '@vigil/metrics';
import { describe, expect, it } from 'vitest';
import { PushGroups, parseGroupingKey } from '../../src/ingest/push-groups.js';
import { isStaleNaN } from '../../src/store/series-store.js';

const text = (body: string) => parsePrometheusText(body);

describe('parseGroupingKey', () => {
  it('reads job and labels, with @base64 values as the Pushgateway API specifies', () => {
    expect(parseGroupingKey('job/backup/instance/db1')).toEqual({ job: 'backup', instance: 'db1' });
    expect(parseGroupingKey(`job/x/path@base64/${Buffer.from('/var/tmp').toString('base64url')}`)).toEqual({
      job: 'x',
      path: '/var/tmp',
    });
    expect(() => parseGroupingKey('job/x/instance')).toThrow(/needs a value/);
    expect(() => parseGroupingKey('job/')).toThrow(/job name must not be empty/);
  });
});

describe('PushGroups', () => {
  it('replaces on PUT, merges on POST, marks dropped series stale, and re-samples groups', () => {
    const groups = new PushGroups();
    const key = { job: 'backup' };
    const first = groups.push(key, text('a 1\nb 2\n'), true, 1000);
    expect(first.map((s) => [s.labels.__name__, s.values[0]])).toEqual([
      ['a', 1],
      ['b', 2],
      ['push_time_seconds', 1],
    ]);
    const merged = groups.push(key, text('b 3\n'), false, 2000);
    expect(merged.map((s) => [s.labels.__name__, s.values[0]])).toEqual([
      ['a', 1],
      ['b', 3],
      ['push_time_seconds', 2],
    ]);
    const replaced = groups.push(key, text('c 4\n'), true, 3000);
    const stale = replaced.filter((s) => isStaleNaN(s.values[0]!)).map((s) => s.labels.__name__);
    expect(stale.sort()).toEqual(['a', 'b']);
    expect(groups.sample(4000).map((s) => [s.labels.__name__, s.labels.job, s.timestamps[0]])).toEqual([
      ['c', 'backup', 4000],
      ['push_time_seconds', 'backup', 4000],
    ]);
    const deleted = groups.delete(key, 5000);
    expect(deleted.every((s) => isStaleNaN(s.values[0]!))).toBe(true);
    expect(groups.size).toBe(0);
  });

  it('refuses new groups past its limit instead of growing', () => {
    const groups = new PushGroups(1);
    groups.push({ job: 'a' }, text('x 1\n'), true, 0);
    expect(() => groups.push({ job: 'b' }, text('x 1\n'), true, 0)).toThrow(/too many push groups/);
  });
});

describe('PushGroups size limit', () => {
  it('counts HELP text too: a group past maxGroupBytes is refused and left as it was', () => {
    const groups = new PushGroups(10, 10_000);
    groups.push({ job: 'a' }, text('x 1\n'), true, 0);
    // Each POST adds a family of small series but a long HELP: only the HELP text makes it large.
    groups.push({ job: 'a' }, text(`# HELP y ${'h'.repeat(6_000)}\ny 1\n`), false, 1);
    expect(() => groups.push({ job: 'a' }, text(`# HELP z ${'h'.repeat(6_000)}\nz 1\n`), false, 2)).toThrow(
      /the push would make group .* bytes, more than the 10000 a group may hold \(limits\.pushGroupBytes\); the group is unchanged/,
    );
    expect(groups.sample(3).map((s) => s.labels.__name__)).toEqual(['x', 'y', 'push_time_seconds']);
  });
});

describe('PushGroups memory share', () => {
  it('refuses a push that would make all groups together larger than maxBytes (429), and frees a deleted group’s bytes', () => {
    const groups = new PushGroups(10, 100_000, 20_000);
    const body = (n: number) => text(`rows{part="${'p'.repeat(n)}"} 1\n`);
    groups.push({ job: 'a' }, body(8_000), true, 0);
    groups.push({ job: 'b' }, body(8_000), true, 0);
    expect(() => groups.push({ job: 'c' }, body(8_000), true, 0)).toThrow(
      /the push would make the Pushgateway groups \d+ bytes together, more than their 20000-byte share of memory\.limit/,
    );
    // Replacing a group counts its new size instead of its old one.
    groups.push({ job: 'b' }, body(100), true, 1);
    groups.push({ job: 'c' }, body(8_000), true, 2);
    groups.delete({ job: 'a' }, 3);
    expect(groups.bytes).toBeLessThan(10_000);
    expect(groups.size).toBe(2);
  });
});
