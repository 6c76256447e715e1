import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../support/free-port.js';
import { type PeerProcess, startPeer } from './peer-process.js';

export interface PrometheusPeer {
  readonly prometheus: PeerProcess;
  /** `http://127.0.0.1:<port>`, the API's base. */
  readonly url: string;
}

/**
 * Debian's Prometheus 2.42 for one interop test file: on a free 127.0.0.1 port, `config` written to
 * `work/prometheus.yml`, its TSDB in `work/prom-data`, resolved once `/-/ready` answers. `flags`
 * are the test's own (`--enable-feature=native-histograms`, `--web.enable-remote-write-receiver`).
 */
export async function startPrometheus(
  work: string,
  config: string,
  flags: readonly string[] = [],
): Promise<PrometheusPeer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const file = join(work, 'prometheus.yml');
  writeFileSync(file, config);
  const prometheus = await startPeer(
    'prometheus',
    [
      `--config.file=${file}`,
      `--storage.tsdb.path=${join(work, 'prom-data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...flags,
    ],
    async () => (await fetch(`${url}/-/ready`)).ok,
  );
  return { prometheus, url };
}
