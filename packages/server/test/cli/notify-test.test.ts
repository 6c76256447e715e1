import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { notifyTest } from '../../src/cli/notify-test.js';
import { listen } from '../alerts/notify/http-listener.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-notify-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await notifyTest(
    args,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('vigil notify test', () => {
  it('sends a test alert through the receiver and reports each integration; exit 1 when one fails', async () => {
    const ok = await listen();
    const broken = await listen(() => 400);
    try {
      const file = join(dir, 'vigil.yaml');
      writeFileSync(
        file,
        `notifications:
  route: {receiver: ops}
  receivers:
    - name: ops
      webhook_configs: [{url: '${ok.url}/hook'}]
    - name: broken
      webhook_configs: [{url: '${broken.url}/hook'}]
`,
      );
      const good = await run(['ops', '--config', file]);
      expect(good.code).toBe(0);
      expect(good.out).toMatch(/^ok {6}ops\/webhook: delivered \(1 attempt\)$/);
      const body = JSON.parse(ok.received[0]!.body);
      expect(body.receiver).toBe('ops');
      expect(body.alerts[0].labels.alertname).toBe('VigilTestAlert');

      const bad = await run(['broken', '--config', file]);
      expect(bad.code).toBe(1);
      expect(bad.out).toMatch(/FAILED {2}broken\/webhook: .*400/);

      const unknown = await run(['nobody', '--config', file]);
      expect(unknown.code).toBe(2);
      expect(unknown.err).toMatch(/no receiver named "nobody" \(configured: ops, broken\)/);
    } finally {
      await ok.close();
      await broken.close();
    }
  });
});
