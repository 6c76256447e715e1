import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';
import { RemoteQueryEngine } from '../../src/remote/remote-query-engine.js';
import { describeQueryEngine } from '../query/query-engine-conformance.js';

/** RemoteQueryEngine held to the QueryEngine contract against vigil itself, started in this process. */
describeQueryEngine('RemoteQueryEngine over vigil', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-remote-engine-conformance-'));
  const peer = await serve(loadConfig({ listen: '127.0.0.1:0', data: join(dir, 'peer'), statsd: 'off' }, {}));
  return {
    engine: new RemoteQueryEngine({ url: peer.url }),
    now: Math.floor(Date.now() / 60_000) * 60_000,
    async load(batch) {
      await peer.store.append(batch);
    },
    async close() {
      await peer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
