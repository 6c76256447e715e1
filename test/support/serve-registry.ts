import { createServer } from 'node:http';
import type { Registry } from '@vigil/metrics';
import { metricsHandler } from '@vigil/metrics/handler';

/** A registry served by the library's handler on a loopback port, as an instrumented service serves it. */
export async function serveRegistry(
  registry: Registry,
): Promise<{ url: string; close: () => Promise<void> }> {
  const handler = metricsHandler({ registry });
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('the registry server has no address');
  return {
    url: `http://127.0.0.1:${address.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
