import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alert, pipelineFrom, T0 } from './pipeline-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-nflog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONFIG = `
route: {receiver: team, group_by: [alertname], group_wait: 30s, group_interval: 5m, repeat_interval: 4h}
receivers: [{name: team}]
`;

describe('notification log', () => {
  it('keeps repeat_interval across a restart: a restarted pipeline does not notify again what it already did', async () => {
    const first = pipelineFrom(CONFIG, { dataDir: dir });
    const firing = alert({ alertname: 'Disk' }, T0, T0 + 24 * 3_600_000);
    first.pipeline.receive([firing]);
    await first.advance(30_000);
    expect(first.sent('team')).toHaveLength(1);
    await first.pipeline.close();
    expect(
      Object.keys(JSON.parse(readFileSync(join(dir, 'notification-log.json'), 'utf8')).entries),
    ).toHaveLength(1);

    const clock = first.clock;
    const second = pipelineFrom(CONFIG, { dataDir: dir, clock });
    second.pipeline.receive([firing]);
    await second.advance(3 * 3_600_000);
    expect(second.sent('team')).toHaveLength(0);
    // The first group interval tick more than 4 h after the notification before the restart.
    await second.advance(3_600_000 + 300_000);
    expect(second.sent('team')).toHaveLength(1);
    expect(second.sent('team')[0]!.time).toBeGreaterThan(T0 + 30_000 + 4 * 3_600_000);
    await second.pipeline.close();

    // Without the log (a fresh data directory), the restarted pipeline notifies again at once.
    const fresh = pipelineFrom(CONFIG, { dataDir: mkdtempSync(join(tmpdir(), 'vigil-nflog-')), clock });
    fresh.pipeline.receive([firing]);
    await fresh.advance(60_000);
    expect(fresh.sent('team')).toHaveLength(1);
    await fresh.pipeline.close();
  });
});
