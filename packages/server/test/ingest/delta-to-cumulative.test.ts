import { ManualClock } from '@vigil/metrics';
import { describe, expect, it } from 'vitest';
import { DeltaToCumulative } from '../../src/ingest/delta-to-cumulative.js';

describe('DeltaToCumulative', () => {
  it('bounds its streams by bytes (the OTLP share of memory.limit): long keys fill it sooner, idle streams free it', () => {
    const clock = new ManualClock(0);
    const delta = new DeltaToCumulative({ clock, maxBytes: 1000, idleMs: 60_000 });
    expect(delta.add('a'.repeat(500), 1, [1])).toEqual({ ok: true, values: [1] });
    expect(delta.add('b'.repeat(500), 1, [1])).toEqual({ ok: false, reason: 'too_many_streams' });
    expect(delta.add('short', 1, [2])).toEqual({ ok: true, values: [2] });
    expect(delta.add('a'.repeat(500), 2, [3])).toEqual({ ok: true, values: [4] });
    clock.advance(60_000);
    expect(delta.add('b'.repeat(500), 3, [1])).toEqual({ ok: true, values: [1] });
    expect(delta.size).toBe(1);
  });
});
