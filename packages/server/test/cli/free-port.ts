import { createServer } from 'node:net';

/** A port that was free a moment ago on 127.0.0.1, for the `vigil` process a CLI test starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
