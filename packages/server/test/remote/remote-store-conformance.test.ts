import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from '@vigil/metrics';
import { until } from '../../../../test/support/until.js';
import { serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';
import { RemoteStore } from '../../src/remote/remote-store.js';
import { describeSeriesStore } from '../store/series-store-conformance.js';

/**
 * RemoteStore held to the SeriesStore contract against a real remote that runs offline: vigil
 * itself, in this process, taking remote write and answering the Prometheus API. The interop tier
 * runs the same store against VictoriaMetrics.
 */
describeSeriesStore('RemoteStore over vigil', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-remote-conformance-'));
  const peer = await serve(loadConfig({ listen: '127.0.0.1:0', data: join(dir, 'peer'), statsd: 'off' }, {}));
  const store = new RemoteStore({
    writeUrl: `${peer.url}/api/v1/write`,
    queryUrl: peer.url,
    queueDir: join(dir, 'queue'),
    queueMaxBytes: 16 * 1_048_576,
    registry: new Registry(),
  });
  return {
    store,
    now: Date.now(),
    settle: () => until('the remote-write queue sent', async () => (await store.stats()).samples === 0),
    async close() {
      await store.close();
      await peer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}, ['nan-payloads', 'resent-duplicates', 'stats']);
