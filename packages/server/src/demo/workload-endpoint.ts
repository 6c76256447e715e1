import { createServer } from 'node:http';
import { metricsHandler } from '@vigil/metrics/handler';
import { streamingSessionNames } from '@vigil/metrics/streaming';
import type { DemoWorkload } from './demo-workload.js';

export interface WorkloadEndpoint {
  /** The `/metrics` URL to scrape. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves the workload's registry on a loopback port, as an instrumented service would
 * (`/metrics`, `/api/sessions`, `/api/health` of the library's handler), so that `vigil demo` ingests
 * it through the same scrape path as any user's service, with `up`, job and instance labels and
 * staleness markers when a session's series disappear. The scrape's `instance` label is this port:
 * `preferredPort` (the server's port + 1) keeps it, and so the series, the same from one run to the
 * next; when that port is taken, any free one will do.
 */
export async function startWorkloadEndpoint(
  workload: DemoWorkload,
  preferredPort = 0,
): Promise<WorkloadEndpoint> {
  const handler = metricsHandler({
    registry: workload.registry,
    health: workload.health,
    service: 'vigil demo workload',
    names: streamingSessionNames(),
  });
  const server = createServer((req, res) => void handler(req, res));
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  try {
    await listen(preferredPort);
  } catch {
    await listen(0);
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
